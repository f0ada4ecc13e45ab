"""`ape run public-readiness`: thin entry point over `dbis public-readiness`."""

from dbis.ape_entry import command

cli = command("public-readiness")
