"""Writing all outputs of a run: everything is rendered first, then all files land together, atomically.

Checks that can fail (unwritable folders, a folder where a file should go, an unreadable existing PO)
run in `preflight`, before any translation work and before any file is touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.atomic import write_all_atomic
from dolmetsch.errors import InputError
from dolmetsch.outputs.bitext import render_bitext
from dolmetsch.outputs.glossary_report import render_json as render_glossary_json
from dolmetsch.outputs.markdown import render_markdown
from dolmetsch.outputs.po import build_catalog, merge_reviewed, read_catalog
from dolmetsch.outputs.text import render_text
from dolmetsch.translation import TranslatedDocument


@dataclass(frozen=True)
class OutputPaths:
    """Where each output goes; None for an output this run does not write."""

    english: Path | None
    bitext: Path | None
    markdown: Path | None
    glossary_report: Path | None
    catalog: Path | None

    @classmethod
    def for_document(cls, name: str, out_dir: Path | None, locales_dir: Path | None, *, with_glossary: bool) -> "OutputPaths":
        def beside(suffix: str) -> Path | None:
            return out_dir / f"{name}{suffix}" if out_dir is not None else None

        return cls(
            english=beside(".en.txt"),
            bitext=beside(".de-en.tsv"),
            markdown=beside(".de-en.md"),
            glossary_report=beside(".glossary.json") if with_glossary else None,
            catalog=locales_dir / "en" / "LC_MESSAGES" / f"{name}.po" if locales_dir is not None else None,
        )

    def targets(self) -> list[Path]:
        return [p for p in (self.english, self.bitext, self.markdown, self.catalog, self.glossary_report) if p]


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


def preflight(paths: OutputPaths) -> None:
    """Everything that could stop the writing, checked before the translation starts."""
    for target in paths.targets():
        ensure_writable(target.parent)
        if target.is_dir():
            raise InputError(target, "is a folder, cannot write a file there")
    if paths.catalog is not None and paths.catalog.exists():
        read_catalog(paths.catalog)


def write_outputs(translated: TranslatedDocument, paths: OutputPaths) -> list[Path]:
    rendered: dict[Path, str] = {}
    if paths.english:
        rendered[paths.english] = render_text(translated)
    if paths.bitext:
        rendered[paths.bitext] = render_bitext(translated)
    if paths.markdown:
        rendered[paths.markdown] = render_markdown(translated)
    if paths.catalog:
        catalog = build_catalog(translated)
        if paths.catalog.exists():
            catalog = merge_reviewed(catalog, read_catalog(paths.catalog))
        rendered[paths.catalog] = str(catalog) + "\n"
    if paths.glossary_report:
        rendered[paths.glossary_report] = render_glossary_json(translated)
    write_all_atomic(rendered)
    return list(rendered)
