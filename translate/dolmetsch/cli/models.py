"""`dolmetsch models …`: list, install and remove Argos packages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from dolmetsch.cli.common import reported_errors
from dolmetsch.errors import InputError
from dolmetsch.models.package import default_packages_dir, installed_packages
from dolmetsch.models.progress import RichProgress

app = typer.Typer(help="List, install and remove Argos packages (translate uses de→en; serve serves every installed pair).", rich_markup_mode=None)


@app.command("list")
def list_command() -> None:
    """Show installed packages: language pair, version, size and location."""
    # rich and zipfile (via archive) load only for this command, to keep `dolmetsch --help` fast
    from rich.console import Console
    from rich.table import Table

    from dolmetsch.models.archive import human_size  # with rich, only when a table is printed

    packages_dir = default_packages_dir()
    packages = installed_packages(packages_dir)
    if not packages:
        typer.echo(f"No Argos packages installed in {packages_dir}.")
        typer.echo(
            "Install one with `dolmetsch models install de en` or `dolmetsch models install FILE.argosmodel`."
        )
        return
    table = Table(title=f"Argos packages in {packages_dir}", title_justify="left")
    table.add_column("Pair", no_wrap=True)
    table.add_column("Version", no_wrap=True)
    table.add_column("Name", no_wrap=True)
    table.add_column("Size", justify="right", no_wrap=True)
    table.add_column("Location", overflow="fold")
    for package in packages:
        table.add_row(
            package.pair, package.package_version, package.name, human_size(package.size_bytes), str(package.path)
        )
    Console(soft_wrap=False, markup=False, emoji=False).print(table)  # names and paths as they are, never rich markup


LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@app.command("install")
def install_command(
    source: Annotated[
        str, typer.Argument(metavar="FROM|FILE", help="Source language code, or an .argosmodel file.")
    ],
    to_code: Annotated[Optional[str], typer.Argument(metavar="[TO]", help="Target language code.")] = None,
    reinstall: Annotated[
        bool, typer.Option("--reinstall", help="Download and install even if this version is present.")
    ] = False,
) -> None:
    """Install a package from the Argos package index (FROM TO) or from a package file (FILE.argosmodel).

    `translate` uses the de→en package; `serve` also serves every other installed pair (en→de for
    Weblate's configuration check), without the glossary."""
    # urllib, ssl and zipfile (via install) load only for this command, to keep `dolmetsch --help` fast
    from dolmetsch.models.install import install_from_file, install_from_index

    with reported_errors():
        if to_code is None:
            path = Path(source)
            if not path.exists() and path.suffix != ".argosmodel":
                raise InputError(
                    source, "give two language codes (`dolmetsch models install de en`) or an .argosmodel file"
                )
            result = install_from_file(path)
        else:
            for code in (source, to_code):
                if not LANGUAGE_CODE.fullmatch(code):
                    raise InputError(code, "not a language code: two or three lowercase letters, as the Argos index names them (de, en)")
            result = install_from_index(source, to_code, progress=RichProgress(), reinstall=reinstall)
    package = result.package
    if result.already_installed:
        typer.echo(f"{package.pair} {package.package_version} is already installed in {package.path}")
        return
    for replaced in result.replaced:
        typer.echo(f"Replaced {replaced}")
    typer.echo(f"Installed {package.pair} {package.name} {package.package_version} in {package.path}")


@app.command("remove")
def remove_command(
    from_code: Annotated[str, typer.Argument(metavar="FROM", help="Source language code.")],
    to_code: Annotated[str, typer.Argument(metavar="TO", help="Target language code.")],
) -> None:
    """Remove the installed package(s) for a language pair."""
    # urllib, ssl and zipfile (via install) load only for this command, to keep `dolmetsch --help` fast
    from dolmetsch.models.install import remove_packages

    with reported_errors():
        removed = remove_packages(from_code, to_code)
    for package in removed:
        typer.echo(f"Removed {package.pair} {package.name} {package.package_version} from {package.path}")
