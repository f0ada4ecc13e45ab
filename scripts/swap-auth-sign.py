"""`ape run swap-auth-sign`: thin entry point over `dbis swap-auth-sign`."""

from dbis.ape_entry import command

cli = command("swap-auth-sign")
