"""`ape run demo`: thin entry point over `dbis demo`."""

from dbis.ape_entry import command

cli = command("demo")
