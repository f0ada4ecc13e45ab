"""`ape run lpa-post`: thin entry point over `dbis lpa-post`."""

from dbis.ape_entry import command

cli = command("lpa-post")
