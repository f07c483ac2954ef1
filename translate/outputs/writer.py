"""Writing all outputs of a run: everything is rendered first, then each file lands atomically.

Checks that can fail (unwritable folders, an unreadable existing PO) run before any file is touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from translate.atomic import write_text_atomic
from translate.errors import InputError
from translate.outputs.bitext import render_bitext
from translate.outputs.glossary_report import render_json as render_glossary_json
from translate.outputs.markdown import render_markdown
from translate.outputs.po import build_catalog, merge_reviewed, read_catalog
from translate.outputs.text import render_text
from translate.translation import TranslatedDocument


@dataclass(frozen=True)
class OutputPaths:
    english: Path
    bitext: Path
    markdown: Path
    catalog: Path
    glossary_report: Path

    @classmethod
    def for_document(cls, name: str, out_dir: Path, locales_dir: Path) -> "OutputPaths":
        return cls(
            english=out_dir / f"{name}.en.txt",
            bitext=out_dir / f"{name}.de-en.tsv",
            markdown=out_dir / f"{name}.de-en.md",
            catalog=locales_dir / "en" / "LC_MESSAGES" / f"{name}.po",
            glossary_report=out_dir / f"{name}.glossary.json",
        )


def ensure_writable(directory: Path) -> None:
    """Fail early, before any translation work, when a folder cannot be created or written."""
    probe = Path(directory)
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(probe, "is a file, not a folder: cannot write outputs there")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(directory, "output folder is not writable")


def check_existing_catalog(paths: OutputPaths) -> None:
    if paths.catalog.exists():
        read_catalog(paths.catalog)


def write_outputs(translated: TranslatedDocument, paths: OutputPaths, *, with_glossary: bool = False) -> list[Path]:
    catalog = build_catalog(translated)
    if paths.catalog.exists():
        catalog = merge_reviewed(catalog, read_catalog(paths.catalog))
    rendered = {
        paths.english: render_text(translated),
        paths.bitext: render_bitext(translated),
        paths.markdown: render_markdown(translated),
        paths.catalog: str(catalog) + "\n",
    }
    if with_glossary:
        rendered[paths.glossary_report] = render_glossary_json(translated)
    for path, text in rendered.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text)
    return list(rendered)
