"""`ape run loop-proof`: thin entry point over `dbis loop-proof` (dry-run unless EXECUTE=1)."""

import sys

import click

from dbis.cli import main


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Run `dbis loop-proof` with the given flags (`ape run loop-proof --help` lists them)."""
    sys.exit(main(["loop-proof", *ctx.args]))
