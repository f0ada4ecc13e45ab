"""`ape run conversion-deploy`: thin entry point over `dbis conversion-deploy`."""

from dbis.ape_entry import command

cli = command("conversion-deploy")
