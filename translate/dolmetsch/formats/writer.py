"""Writing all outputs of a run: everything is rendered first, then all files land together, atomically.

Checks that can fail (unwritable folders, a folder or read-only file where an output should go, an
existing file that cannot be merged) run in `OutputPlan.preflight`, before any translation work
and before any file is touched.

Files people edit (the PO catalogue) are merged, never clobbered: the run takes a lock beside each
one (`.S.po.lock`, honoured by every dolmetsch command that writes it), merges, and checks just
before replacing that the file is still the one it merged. A reviewer's save that lands meanwhile
is merged in again; if the file keeps changing, nothing is replaced and the run's catalogue goes
beside it as `S.po.new`.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dolmetsch.atomic import check_writable_target, real_target, write_all_atomic
from dolmetsch.document.model import Document
from dolmetsch.errors import ConcurrentEditError, InputError
from dolmetsch import output as registry
from dolmetsch.formats.base import TRANSLATE, OutputFormat, RenderContext
from dolmetsch.formats.po import Catalogues
from dolmetsch.glossary.model import Glossary
from dolmetsch.translation import TranslatedDocument


@dataclass(frozen=True)
class OutputPlan:
    """Where each output of one document goes: only the formats whose folder was given."""

    targets: tuple[tuple[OutputFormat, Path], ...]
    everywhere: Mapping[str, Path] = field(default_factory=dict, compare=False)
    """Where every registered format of the document goes, written by this plan or not (by name)."""
    glossary: Glossary | None = field(default=None, compare=False)
    """The glossary of the run, for formats that show it (the review page)."""
    catalogues: Catalogues = field(default_factory=Catalogues, compare=False)
    """The catalogues the run reads, each parsed once (shared by preflight, known translations, merge, review page)."""

    @classmethod
    def for_document(
        cls,
        name: str,
        out_dir: Path | None,
        locales_dir: Path | None,
        *,
        with_glossary: bool,
        command: str = TRANSLATE,
        formats: Iterable[OutputFormat] | None = None,
        glossary: Glossary | None = None,
        catalogues: Catalogues | None = None,
    ) -> "OutputPlan":
        """The targets of `formats` (default: every registered format) that `command` writes for
        document `name`; `glossary` is the run's, for the formats that show it; `catalogues` the
        run's parsed catalogues, shared with its memory (a plan of its own by default)."""
        targets = []
        everywhere = {}
        for output_format in formats if formats is not None else registry.FORMATS:
            path = output_format.path(name, out_dir, locales_dir)
            if path is not None:
                everywhere[output_format.name] = path
            if output_format.needs_glossary and not with_glossary or command not in output_format.written_by:
                continue
            if path is not None:
                targets.append((output_format, path))
        return cls(tuple(targets), everywhere, glossary, catalogues if catalogues is not None else Catalogues())

    def paths(self) -> list[Path]:
        return [path for _, path in self.targets]

    def path_of(self, name: str) -> Path | None:
        return next((path for output_format, path in self.targets if output_format.name == name), None)

    def preflight(self, document: Document) -> None:
        """Everything that could stop writing `document`'s outputs, checked before the translation starts."""
        for output_format, target in self.targets:
            ensure_writable(real_target(target).parent)
            check_writable_target(target)
            if target.exists():
                output_format.check_existing(target, document, self.catalogues)

    def known_translations(self, document: Document, model: str, glossary: str) -> dict:
        """What the existing outputs already hold for `document`'s segments (see OutputFormat)."""
        known: dict = {}
        for output_format, target in self.targets:
            if target.exists():
                known.update(output_format.known_translations(target, document, model, glossary, self.catalogues))
        return known

    def write(self, translated: TranslatedDocument) -> list[Path]:
        """Render every output, then write them all or none; merged files are locked and re-verified."""
        merged = [target for output_format, target in self.targets if output_format.merges_existing]
        with ExitStack() as locks:
            for target in merged:
                locks.enter_context(file_lock(target))
            for _ in range(MERGE_ATTEMPTS):
                before = {target: _contents(target) for target in merged}
                rendered = self._render(translated)
                changed = [target for target in merged if _contents(target) != before[target]]
                if not changed:
                    write_all_atomic(rendered)
                    return list(rendered)
            beside = {target.with_name(target.name + ".new"): rendered[target] for target in changed}
            write_all_atomic(beside)
            names = ", ".join(str(path) for path in beside)
            raise ConcurrentEditError(changed[0], f"changed while this run was writing it; nothing was replaced, the run's result is in {names}")

    def _render(self, translated: TranslatedDocument) -> dict[Path, str]:
        """Each output in the order of the plan; a format sees the text of those rendered before it."""
        rendered: dict[Path, str] = {}
        by_name: dict[str, str] = {}
        for output_format, target in self.targets:
            context = RenderContext(self.everywhere, dict(by_name), self.glossary, self.catalogues)
            text = output_format.render_in(translated, target if target.exists() else None, context)
            rendered[target] = by_name[output_format.name] = text
        return rendered


MERGE_ATTEMPTS = 3
"""How often a run merges again when a reviewer saves the file it is merging into."""


def _contents(path: Path) -> bytes | None:
    try:
        return real_target(path).read_bytes()
    except FileNotFoundError:
        return None


def lock_path(target: Path) -> Path:
    destination = real_target(target)
    return destination.with_name(f".{destination.name}.lock")


@contextmanager
def file_lock(target: Path) -> Iterator[None]:
    """An exclusive advisory lock for writing `target`, shared by every dolmetsch process."""
    path = lock_path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a")
    except OSError as exc:
        raise InputError(path, f"cannot create the lock file ({exc.strerror})") from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
