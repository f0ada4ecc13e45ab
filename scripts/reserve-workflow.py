"""`ape run reserve-workflow`: thin entry point over `dbis reserve-workflow`."""

from dbis.ape_entry import command

cli = command("reserve-workflow")
