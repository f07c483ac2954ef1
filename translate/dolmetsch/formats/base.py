"""What every output format is: a name, a file suffix, where the file goes, and how it is written.

A format renders a TranslatedDocument as text. One that people edit (the PO catalogue) also
merges with the file already there, so nothing a reviewer wrote is lost, and one that can be
read back yields the segments `dolmetsch check` inspects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from dolmetsch.document.model import Document
from dolmetsch.errors import InputError
from dolmetsch.translation import ReviewedSegment, TranslatedDocument

if TYPE_CHECKING:
    from dolmetsch.formats.po import Catalogues
    from dolmetsch.glossary.model import Glossary

OUT = "out"
"""Outputs that go into the output folder, named `S` + suffix."""
LOCALES = "locales"
"""Outputs that go into the gettext tree, `LOCALES/en/LC_MESSAGES/S` + suffix."""
TEMPLATES = "templates"
"""Outputs that go at the top of the gettext tree, `LOCALES/S` + suffix (templates)."""
TRANSLATE = "translate"
"""`dolmetsch translate` writes the machine view: decoded, or taken from the catalogue."""
BUILD = "build"
"""`dolmetsch build` writes the reviewed view, from the catalogue."""
TARGET_LANGUAGE = "en"


@dataclass(frozen=True)
class RenderContext:
    """What a format may consult besides the translation: where each registered format of the
    document goes (`paths`, by format name, also those this run does not write), the text of the
    outputs this run rendered before it (`rendered`, by format name), the glossary the run
    applies, and the catalogues the run has read (`catalogues`, so that a file is parsed once).
    Most formats need none of it."""

    paths: Mapping[str, Path] = field(default_factory=dict)
    rendered: Mapping[str, str] = field(default_factory=dict)
    glossary: "Glossary | None" = None
    catalogues: "Catalogues | None" = None

    def text_of(self, name: str) -> str | None:
        """The text of output `name`: as this run rendered it, else the file there; None when there is none."""
        if name in self.rendered:
            return self.rendered[name]
        path = self.paths.get(name)
        if path is None or not Path(path).is_file():
            return None
        try:
            return Path(path).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None


class OutputFormat:
    """Base of every format; a subclass sets the class attributes and overrides `render`."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    folder: ClassVar[str] = OUT
    needs_glossary: ClassVar[bool] = False
    """Written only when the run enforces a glossary."""
    readable: ClassVar[bool] = False
    """Whether `read_segments` reads this format back."""
    merges_existing: ClassVar[bool] = False
    """Whether `render` carries over what people wrote into the file already there."""
    written_by: ClassVar[tuple[str, ...]] = (TRANSLATE, BUILD)
    """The commands whose runs write this format."""
    sources: ClassVar[tuple[str, ...]] = ()
    """The source formats (`dolmetsch.sources`, by name) whose documents get this output; empty: every one."""

    def path(self, name: str, out_dir: Path | None, locales_dir: Path | None) -> Path | None:
        """Where the output of document `name` goes; None when its folder is not given."""
        if self.folder == LOCALES:
            return Path(locales_dir) / TARGET_LANGUAGE / "LC_MESSAGES" / f"{name}{self.suffix}" if locales_dir else None
        if self.folder == TEMPLATES:
            return Path(locales_dir) / f"{name}{self.suffix}" if locales_dir else None
        return Path(out_dir) / f"{name}{self.suffix}" if out_dir is not None else None

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        """The file's new text; `existing` is the file already at the target, if any."""
        raise NotImplementedError

    def render_in(self, translated: TranslatedDocument, existing: Path | None, context: RenderContext) -> str:
        """`render`, for a format that also needs the run's context (the review page); the writer calls this."""
        return self.render(translated, existing)

    def check_existing(self, path: Path, document: Document, catalogues: "Catalogues | None" = None) -> None:
        """Raise InputError, before any translation work, when the file at `path` cannot take
        `document`'s output (unreadable, or another document's); `catalogues` are the run's."""

    def known_translations(
        self, path: Path, document: Document, model: str, glossary: str, catalogues: "Catalogues | None" = None
    ) -> dict:
        """Translations of `document`'s segments (by key) that the file at `path` already holds and
        a run may take instead of decoding, for this `model` and glossary fingerprint."""
        return {}

    def read_segments(self, path: Path) -> list[ReviewedSegment]:
        """The segments of a file in this format, reviewer edits included."""
        raise InputError(path, f"{self.name} files cannot be read back")
