"""`ape run legacy-retirement`: thin entry point over `dbis legacy-retirement`."""

from dbis.ape_entry import command

cli = command("legacy-retirement")
