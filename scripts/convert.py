"""`ape run convert`: thin entry point over `dbis convert`."""

from dbis.ape_entry import command

cli = command("convert")
