"""`ape run proof-package`: thin entry point over `dbis proof-package`."""

from dbis.ape_entry import command

cli = command("proof-package")
