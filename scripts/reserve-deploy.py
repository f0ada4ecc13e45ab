"""`ape run reserve-deploy`: thin entry point over `dbis reserve-deploy`."""

from dbis.ape_entry import command

cli = command("reserve-deploy")
