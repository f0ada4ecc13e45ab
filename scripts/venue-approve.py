"""`ape run venue-approve`: thin entry point over `dbis venue-approve`."""

from dbis.ape_entry import command

cli = command("venue-approve")
