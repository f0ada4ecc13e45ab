"""`ape run <command>` entry points: each file under scripts/ is one line over `command()`."""

from __future__ import annotations

import sys

import click

from dbis.cli import main


def command(name: str) -> click.Command:
    """A click command that runs `dbis <name>` with the flags it was given (`--help` included)."""

    @click.command(name=name, context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                                "help_option_names": []})
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        sys.exit(main([name, *ctx.args]))

    cli.help = f"Run `dbis {name}` with the given flags (`ape run {name} --help` lists them)."
    return cli
