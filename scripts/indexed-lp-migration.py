"""`ape run indexed-lp-migration`: thin entry point over `dbis indexed-lp-migration`."""

from dbis.ape_entry import command

cli = command("indexed-lp-migration")
