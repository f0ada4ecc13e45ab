"""`ape run lpa-transition`: thin entry point over `dbis lpa-transition`."""

from dbis.ape_entry import command

cli = command("lpa-transition")
