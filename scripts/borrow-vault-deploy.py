"""`ape run borrow-vault-deploy`: thin entry point over `dbis borrow-vault-deploy`."""

from dbis.ape_entry import command

cli = command("borrow-vault-deploy")
