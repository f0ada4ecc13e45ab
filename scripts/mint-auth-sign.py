"""`ape run mint-auth-sign`: thin entry point over `dbis mint-auth-sign`."""

from dbis.ape_entry import command

cli = command("mint-auth-sign")
