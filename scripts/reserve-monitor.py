"""`ape run reserve-monitor`: thin entry point over `dbis reserve-monitor`."""

from dbis.ape_entry import command

cli = command("reserve-monitor")
