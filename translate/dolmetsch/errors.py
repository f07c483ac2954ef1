"""Errors caused by the user's input, reported as one line and exit code 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input (file, archive, glossary, model): names where and what, never a stack trace."""

    exit_code = 2

    def __init__(self, where: str | Path, problem: str, line: int | None = None):
        self.where = str(where)
        self.problem = problem
        self.line = line
        super().__init__(str(self))

    def __reduce__(self):
        # rebuilt from its own fields, so it crosses a process boundary (a local worker) intact
        return (type(self), (self.where, self.problem, self.line))

    def __str__(self) -> str:
        location = f"{self.where}:{self.line}" if self.line is not None else self.where
        return f"{location}: {self.problem}"


class ConcurrentEditError(InputError):
    """A file changed under the run while it was being written: nothing was replaced, exit code 1."""

    exit_code = 1


class UnreviewedError(InputError):
    """A build was asked for reviewed translations only and found drafts: nothing written, exit code 1."""

    exit_code = 1
