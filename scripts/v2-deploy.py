"""`ape run v2-deploy`: thin entry point over `dbis v2-deploy` (dry-run unless EXECUTE=1)."""

import sys

import click

from dbis.cli import main


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Run `dbis v2-deploy` with the given flags (`ape run v2-deploy --help` lists them)."""
    sys.exit(main(["v2-deploy", *ctx.args]))
