"""`ape run rail-deploy`: thin entry point over `dbis rail-deploy`."""

from dbis.ape_entry import command

cli = command("rail-deploy")
