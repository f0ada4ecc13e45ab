"""`ape run indexed-vault-deploy`: thin entry point over `dbis indexed-vault-deploy`."""

from dbis.ape_entry import command

cli = command("indexed-vault-deploy")
