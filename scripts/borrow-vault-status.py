"""`ape run borrow-vault-status`: thin entry point over `dbis borrow-vault-status`."""

from dbis.ape_entry import command

cli = command("borrow-vault-status")
