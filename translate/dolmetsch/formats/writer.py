"""Writing all outputs of a run: everything is rendered first, then all files land together, atomically.

Checks that can fail (unwritable folders, a folder where a file should go, an existing file that
cannot be merged) run in `OutputPlan.preflight`, before any translation work and before any file
is touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.atomic import write_all_atomic
from dolmetsch.errors import InputError
from dolmetsch import formats as registry
from dolmetsch.formats.base import OutputFormat
from dolmetsch.pipeline import TranslatedDocument


@dataclass(frozen=True)
class OutputPlan:
    """Where each output of one document goes: only the formats whose folder was given."""

    targets: tuple[tuple[OutputFormat, Path], ...]

    @classmethod
    def for_document(
        cls,
        name: str,
        out_dir: Path | None,
        locales_dir: Path | None,
        *,
        with_glossary: bool,
        formats: Iterable[OutputFormat] | None = None,
    ) -> "OutputPlan":
        """The targets of `formats` (default: every registered format) for document `name`."""
        targets = []
        for output_format in formats if formats is not None else registry.FORMATS:
            if output_format.needs_glossary and not with_glossary:
                continue
            path = output_format.path(name, out_dir, locales_dir)
            if path is not None:
                targets.append((output_format, path))
        return cls(tuple(targets))

    def paths(self) -> list[Path]:
        return [path for _, path in self.targets]

    def path_of(self, name: str) -> Path | None:
        return next((path for output_format, path in self.targets if output_format.name == name), None)

    def preflight(self) -> None:
        """Everything that could stop the writing, checked before the translation starts."""
        for output_format, target in self.targets:
            ensure_writable(target.parent)
            if target.is_dir():
                raise InputError(target, "is a folder, cannot write a file there")
            if target.exists():
                output_format.check_existing(target)

    def write(self, translated: TranslatedDocument) -> list[Path]:
        """Render every output, then write them all or none."""
        rendered = {
            target: output_format.render(translated, target if target.exists() else None)
            for output_format, target in self.targets
        }
        write_all_atomic(rendered)
        return list(rendered)


def ensure_writable(directory: Path) -> None:
    """Fail early when a folder cannot be created or written."""
    probe = Path(directory)
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(probe, "is a file, not a folder: cannot write outputs there")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(directory, "output folder is not writable")
