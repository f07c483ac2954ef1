"""The `dolmetsch` command: a thin layer that parses options, calls the stages and reports.

Each command group lives in its own module. Commands import the stages they run inside their
function (simplemma, SoMaJo, ctranslate2 and rich take a second or more between them), so
`dolmetsch --help` and usage errors stay instant.
"""

from __future__ import annotations

import typer

from dolmetsch import __version__
from dolmetsch.cli import check as check_commands
from dolmetsch.cli import glossary as glossary_commands
from dolmetsch.cli import models as models_commands
from dolmetsch.cli import run as run_commands

app = typer.Typer(
    name="dolmetsch",
    help="Offline German→English translation with an enforced glossary and a PO review loop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"dolmetsch {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", help="Show the version and exit.", is_eager=True, callback=_show_version),
) -> None:
    """Offline German→English translation with an enforced glossary and a PO review loop."""


run_commands.register(app)
check_commands.register(app)
app.add_typer(models_commands.app, name="models")
app.add_typer(glossary_commands.app, name="glossary")


def main() -> None:
    app()
