"""`ape run v2-deploy`: thin entry point over `dbis v2-deploy`."""

from dbis.ape_entry import command

cli = command("v2-deploy")
