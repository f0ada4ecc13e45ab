"""`ape run recipient-proof`: thin entry point over `dbis recipient-proof`."""

from dbis.ape_entry import command

cli = command("recipient-proof")
