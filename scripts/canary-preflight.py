"""`ape run canary-preflight`: thin entry point over `dbis canary-preflight`."""

from dbis.ape_entry import command

cli = command("canary-preflight")
