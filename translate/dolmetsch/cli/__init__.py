"""The `dolmetsch` command: a thin layer that parses options, calls the stages and reports.

Each command group lives in its own module. Commands import the stages they run inside their
function (simplemma, SoMaJo, ctranslate2 and rich take a second or more between them), so
`dolmetsch --help` and usage errors stay instant.
"""

from __future__ import annotations

import sys

import typer

from dolmetsch.version import __version__
from dolmetsch.cli import build as build_commands
from dolmetsch.cli import check as check_commands
from dolmetsch.cli import glossary as glossary_commands
from dolmetsch.cli import models as models_commands
from dolmetsch.cli import run as run_commands
from dolmetsch.cli import serve as serve_commands
from dolmetsch.cli import xliff as xliff_commands

app = typer.Typer(
    name="dolmetsch",
    help="Offline German→English translation with an enforced glossary and a PO review loop.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: rich's help renderer alone costs 0.15 s per --help
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
build_commands.register(app)
check_commands.register(app)
serve_commands.register(app)
app.add_typer(models_commands.app, name="models")
app.add_typer(glossary_commands.app, name="glossary")
app.add_typer(xliff_commands.app, name="xliff")


EXIT_USAGE = 2
EXIT_SIGNAL_BASE = 128  # a shell reports death by signal N as 128 + N: 130 for SIGINT, 143 for SIGTERM


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException so that cleanup runs and nothing swallows it."""

    def __init__(self, signal_number: int):
        self.signal_number = signal_number
        super().__init__(signal_number)


def usage_message(error) -> str:
    """One line for a usage error: `--beam: 0 is not in the range 1..32`, `no such option: --bogus`."""
    param = getattr(error, "param", None)
    message = error.format_message().strip().rstrip(".")
    option = next((name for name in sorted(getattr(param, "opts", []), key=len, reverse=True) if name.startswith("-")), None)
    if not isinstance(error, typer.BadParameter) or option is None or message.startswith("Missing"):
        return message[:1].lower() + message[1:]
    kind, given = _validation(error)
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and given is not None:
        return f"{option}: {given} is not in the range {low}..{high}" if high is not None else f"{option}: {given} is less than {low}"
    if kind == "int_parsing" and given is not None:
        return f"{option}: {given!r} is not a whole number"
    message = message.split(": ", 1)[-1] if message.startswith("Invalid value") else message
    return f"{option}: {message.removeprefix('Value error, ')}"


def _validation(error) -> tuple[str | None, str | None]:
    """The validator's error type and the text the user typed, when the validator kept them."""
    errors = getattr(error.__cause__, "errors", None)
    found = errors() if callable(errors) else None
    if not found:
        return None, None
    return found[0].get("type"), (str(found[0]["input"]) if "input" in found[0] else None)


def _interrupt(signal_number: int, frame) -> None:
    raise Interrupted(signal_number)


def main() -> None:
    """The console script: one line and exit 2 for usage errors, 130/143 for SIGINT/SIGTERM."""
    import signal

    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    command = "dolmetsch"
    try:
        if len(sys.argv) == 1:
            raise _missing_command()
        code = app(standalone_mode=False, prog_name="dolmetsch")
    except typer.TyperException as exc:  # click's usage errors: exit code 2
        context = getattr(exc, "ctx", None)
        if context is not None:
            command = context.command_path
        sys.stderr.write(f"dolmetsch: error: {usage_message(exc)} (see '{command} --help')\n")
        sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
    except (Interrupted, typer.Abort, KeyboardInterrupt) as exc:
        number = exc.signal_number if isinstance(exc, Interrupted) else signal.SIGINT
        sys.stderr.write(f"dolmetsch: interrupted ({signal.Signals(number).name}); no output was left half written\n")
        sys.exit(EXIT_SIGNAL_BASE + number)
    sys.exit(code if isinstance(code, int) else 0)


def _missing_command() -> typer.TyperException:
    names = [command.name for command in app.registered_commands] + [group.name for group in app.registered_groups]
    return typer.BadParameter.__mro__[1](f"give a command: {', '.join(names)}")  # click's UsageError
