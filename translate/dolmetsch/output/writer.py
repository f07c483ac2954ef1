"""Writing all outputs of a run: everything is rendered first, then all files land together, atomically.

Checks that can fail (unwritable folders, a folder or read-only file where an output should go, an
existing file that cannot be merged) run in `OutputPlan.preflight`, before any translation work
and before any file is touched.

Files people edit (the PO catalogue) are merged, never clobbered: the run takes a lock beside each
one (`.S.po.lock`, honoured by every dolmetsch command that writes it), merges, and checks
immediately before that file's own rename (the first of the run's renames) that it is still the
one it merged. A reviewer's save that lands meanwhile, even while the other outputs are staged, is
merged in again; if the file keeps changing, nothing is replaced and the run's catalogue goes
beside it as `S.po.new`.

A run that fails leaves the tree as it found it: no temporary file, no folder it created, and no
lock file it created.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dolmetsch.atomic import (
    ChangedMeanwhile,
    IfUnchanged,
    check_writable_file,
    real_target,
    resolving_folders_once,
    write_all_atomic,
)
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
        source: str = "text",
    ) -> "OutputPlan":
        """The targets of `formats` (default: every registered format) that `command` writes for
        document `name`; `glossary` is the run's, for the formats that show it; `catalogues` the
        run's parsed catalogues, shared with its memory (a plan of its own by default); `source` is
        the name of the document's source format (the English document is written in its format)."""
        targets = []
        everywhere = {}
        for output_format in formats if formats is not None else registry.FORMATS:
            if output_format.sources and source not in output_format.sources:
                continue
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
        with resolving_folders_once():
            self._preflight(document)

    def _preflight(self, document: Document) -> None:
        folders: set[Path] = set()  # the outputs share two or three folders: each checked once
        for output_format, target in self.targets:
            destination = real_target(target)
            if destination.parent not in folders:
                ensure_writable(destination.parent)
                folders.add(destination.parent)
            check_writable_file(destination)
            if target.exists():
                output_format.check_existing(target, document, self.catalogues)

    def known_translations(self, document: Document, model: str, glossary: str) -> dict:
        """What the existing outputs already hold for `document`'s segments (see OutputFormat)."""
        known: dict = {}
        for output_format, target in self.targets:
            if target.exists():
                known.update(output_format.known_translations(target, document, model, glossary, self.catalogues))
        return known

    def write(self, translated: TranslatedDocument) -> dict[Path, str]:
        """Render every output, then write them all or none; merged files are locked and re-verified.
        Returns the text written, by path."""
        with resolving_folders_once():
            return self._write(translated)

    def _write(self, translated: TranslatedDocument) -> dict[Path, str]:
        merged = [target for output_format, target in self.targets if output_format.merges_existing]
        with ExitStack() as locks:
            for target in merged:
                locks.enter_context(file_lock(target))
            for _ in range(MERGE_ATTEMPTS):
                before = {target: _contents(target) for target in merged}
                rendered = self._render(translated)
                changed = [target for target in merged if _contents(target) != before[target]]
                if changed:
                    continue  # a save while rendering: merge again before staging anything
                try:
                    write_all_atomic({t: IfUnchanged(text, before[t]) if t in before else text for t, text in rendered.items()})
                except ChangedMeanwhile as change:  # a save while staging: not replaced, merge again
                    changed = [change.target]
                    continue
                return rendered
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
    """An exclusive advisory lock for writing `target`, shared by every dolmetsch process.

    If the block fails, the lock file and the folders made for it are removed again when this run
    created them. Removing a lock file is safe only while holding its lock and only because every
    taker checks, once it holds the lock, that the file it locked is still the one at the path
    (else it takes the lock again on the new file): a process waiting on the removed file thus
    never shares the lock with one that created a new file.
    """
    path = lock_path(target)
    real_target(path)  # a lock file planted as a link in a shared folder is refused like any target
    handle, created, new_folders = _take_lock(path)
    with handle:
        try:
            yield
        except BaseException:
            if created:
                path.unlink(missing_ok=True)  # still held: see above
                _remove_folders(new_folders)
            raise
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _take_lock(path: Path):
    """Open and lock `path`, creating it and its folder if need be, until the file locked is the one at the path.

    Returns the open file, whether this process created it, and the folders it created (deepest first).
    """
    new_folders: list[Path] = []
    for _ in range(LOCK_ATTEMPTS):
        new_folders = sorted({*new_folders, *_missing_folders(path.parent)}, key=lambda f: len(f.parts), reverse=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, created = _open_lock_file(path)
        except OSError as exc:
            _remove_folders(new_folders)
            raise InputError(path, f"cannot create the lock file ({exc.strerror})") from None
        if descriptor is None:
            continue  # removed meanwhile by a run that failed: make it again
        handle = os.fdopen(descriptor, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            same = os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return handle, created, new_folders
        handle.close()  # a failed run removed this file while we waited: lock the current one
    _remove_folders(new_folders)
    raise InputError(path, "cannot take the lock: the lock file keeps disappearing")


def _open_lock_file(path: Path) -> tuple[int | None, bool]:
    """The lock file opened for writing (None: it vanished meanwhile) and whether this call created it."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), True
    except FileExistsError:
        pass
    except FileNotFoundError:  # its folder was just removed
        return None, False
    try:
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC), False
    except FileNotFoundError:
        return None, False


LOCK_ATTEMPTS = 100
"""How often a run tries again to lock a lock file that failed runs keep removing."""


def _missing_folders(folder: Path) -> list[Path]:
    """The folders that creating `folder` would make, deepest first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_folders(folders: list[Path]) -> None:
    """Remove those of `folders` (deepest first) that are still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            pass


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
