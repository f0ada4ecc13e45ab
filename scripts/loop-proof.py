"""`ape run loop-proof`: thin entry point over `dbis loop-proof`."""

from dbis.ape_entry import command

cli = command("loop-proof")
