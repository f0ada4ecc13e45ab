"""`ape run audit-manifest`: thin entry point over `dbis audit-manifest`."""

from dbis.ape_entry import command

cli = command("audit-manifest")
