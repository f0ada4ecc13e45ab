"""`ape run mint-auth-submit`: thin entry point over `dbis mint-auth-submit`."""

from dbis.ape_entry import command

cli = command("mint-auth-submit")
