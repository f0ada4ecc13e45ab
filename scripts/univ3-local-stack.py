"""`ape run univ3-local-stack`: thin entry point over `dbis univ3-local-stack`."""

from dbis.ape_entry import command

cli = command("univ3-local-stack")
