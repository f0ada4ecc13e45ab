"""`ape run rail-signer-revoke`: thin entry point over `dbis rail-signer-revoke`."""

from dbis.ape_entry import command

cli = command("rail-signer-revoke")
