"""`ape run univ3-swap-proof`: thin entry point over `dbis univ3-swap-proof`."""

from dbis.ape_entry import command

cli = command("univ3-swap-proof")
