"""`ape run indexed-proof-record`: thin entry point over `dbis indexed-proof-record`."""

from dbis.ape_entry import command

cli = command("indexed-proof-record")
