"""How package operations tell the user what they are doing: notes and download progress bars.

Operations take a `Progress` so the CLI can show rich bars on stderr while tests and library
callers stay quiet.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, ContextManager, Iterator, Protocol


class Progress(Protocol):
    def note(self, message: str) -> None:
        """Tell the user about a step (one line)."""

    def transfer(self, description: str, total_bytes: int | None) -> ContextManager[Callable[[int], None]]:
        """Show a transfer; the context yields a function to call with each chunk's byte count."""


class SilentProgress:
    """Reports nothing."""

    def note(self, message: str) -> None:
        pass

    @contextmanager
    def transfer(self, description: str, total_bytes: int | None) -> Iterator[Callable[[int], None]]:
        yield lambda nbytes: None


class RichProgress:
    """Notes and progress bars on stderr, so stdout stays clean for data."""

    def __init__(self, console=None):
        # rich is imported only when progress is shown, to keep start-up fast
        from rich.console import Console

        self.console = console or Console(stderr=True)

    def note(self, message: str) -> None:
        self.console.print(message, markup=False, highlight=False)

    @contextmanager
    def transfer(self, description: str, total_bytes: int | None) -> Iterator[Callable[[int], None]]:
        # rich's progress bars are imported only when a transfer is shown, to keep start-up fast
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress as RichProgressBar,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        columns = (
            TextColumn("{task.description}", markup=False),  # a package name is never rich markup
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
        with RichProgressBar(*columns, console=self.console) as bar:
            task = bar.add_task(description, total=total_bytes)
            yield lambda nbytes: bar.advance(task, nbytes)
