"""`ape run rail-signer-add`: thin entry point over `dbis rail-signer-add`."""

from dbis.ape_entry import command

cli = command("rail-signer-add")
