"""Safe file writes: a reader (or a crash) never sees half a file, and an interrupt never leaves a mix.

- Every file is written to a temporary file beside its target, then renamed over it.
- New files get the mode the umask gives; a replaced file keeps its mode; a read-only target is
  refused; a symbolic link is written through, so the file it points to is updated.
- In a shared folder (sticky and world-writable, like /tmp) a link is followed only when the kernel's
  `fs.protected_symlinks` rule would follow it (the link belongs to this user or to the folder's
  owner) and it leads to something: another user's planted link is refused, never written through.
- Several files land together: all are staged first, then renamed while SIGINT and SIGTERM wait,
  so an interrupt leaves either every old file or every new one, and no temporary file.
- A file others edit (given as `IfUnchanged`, with what it held) is compared again
  immediately before its own rename, and renamed first; if it changed, it is not replaced.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.errors import ConcurrentEditError, InputError

DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
MAX_LINKS = 40
"""Links followed while resolving one path before giving up, as the kernel does (ELOOP)."""


class ChangedMeanwhile(ConcurrentEditError):
    """A file expected to hold given content held something else just before its rename: not replaced."""

    def __init__(self, target: Path):
        self.target = target
        super().__init__(target, "changed while this run was writing it; it was not replaced")


def real_target(target: Path) -> Path:
    """The file a write to `target` must replace: the end of its symbolic links, if any.

    Every link on the way is checked as the kernel's `fs.protected_symlinks` does, and a dangling
    link in a shared folder is refused too: `realpath` follows links without the kernel's checks,
    so without this a run could be led into someone else's files.
    """
    resolved = _resolve_safely(target)
    if os.path.islink(target):
        return resolved
    return target if isinstance(target, Path) else Path(target)


def _shared_folder(folder: os.stat_result) -> bool:
    """Sticky and world-writable, like /tmp: anyone may plant a link there."""
    return folder.st_mode & (stat.S_ISVTX | stat.S_IWOTH) == stat.S_ISVTX | stat.S_IWOTH


def _check_link(link: Path, link_stat: os.stat_result) -> None:
    """Refuse to follow `link` where the kernel would not, or where it leads nowhere, in a shared folder."""
    try:
        folder = os.stat(link.parent)
    except OSError:
        return
    if not _shared_folder(folder):
        return
    if link_stat.st_uid not in (os.geteuid(), folder.st_uid):
        raise InputError(link, "is a symbolic link another user planted in a shared folder; refusing to follow it")
    if not os.path.exists(link):
        raise InputError(link, "is a symbolic link to nothing in a shared folder; refusing to follow it")


_FOLDERS: ContextVar[dict[tuple[str, ...], tuple[str, int]] | None] = ContextVar("_FOLDERS", default=None)
"""Within `resolving_folders_once`: each folder's resolution (its real path, links followed), by its parts."""


@contextmanager
def resolving_folders_once() -> Iterator[None]:
    """Within the block, the folders on the way to each target are resolved and checked once.

    One document's outputs lie in two or three folders, and checking every link on the way
    to each file again for each step of writing it walked the same folders dozens of times. The
    last step of each path (the file itself, where a reviewer's save or a planted link lands) is
    still looked at every time; only the folders above it are taken as they were found when the
    block first met them. Nested blocks share the outermost one's folders.
    """
    if _FOLDERS.get() is not None:
        yield
        return
    token = _FOLDERS.set({})
    try:
        yield
    finally:
        _FOLDERS.reset(token)


def _resolve_safely(path: Path) -> Path:
    """`os.path.realpath(path)`, checking each link it follows with `_check_link`."""
    parts = _absolute_parts(path)
    folders = _FOLDERS.get()
    if folders is None or len(parts) < 2:
        resolved, _ = _walk(path, parts[0], 0, list(reversed(parts[1:])))
        return Path(resolved)
    folder = parts[:-1]
    state = folders.get(folder)
    if state is None:
        state = folders[folder] = _walk(path, folder[0], 0, list(reversed(folder[1:])))
    resolved, _ = _walk(path, *state, [parts[-1]])
    return Path(resolved)


def _absolute_parts(path: Path) -> tuple[str, ...]:
    """`Path(os.getcwd(), path).parts`, without building Path objects for the common case."""
    absolute = os.path.join(os.getcwd(), path)
    if absolute.startswith("//"):  # POSIX lets "//" mean something else; pathlib keeps it as the root
        return Path(absolute).parts
    return ("/", *(name for name in absolute.split("/") if name not in ("", ".")))


def _walk(path: Path, resolved: str, links: int, pending: list[str]) -> tuple[str, int]:
    """Follow the names on `pending` (a stack, next name last) from the real folder `resolved`.

    Returns the real path reached and how many links it took so far (the kernel's limit counts
    those of the whole path)."""
    while pending:
        name = pending.pop()
        if name == "..":
            resolved = os.path.dirname(resolved)
            continue
        candidate = os.path.join(resolved, name)
        try:
            found = os.lstat(candidate)
        except OSError:  # missing (to be created) or unreadable: nothing more to follow
            resolved = candidate
            continue
        if not stat.S_ISLNK(found.st_mode):
            resolved = candidate
            continue
        links += 1
        if links > MAX_LINKS:
            raise InputError(path, "too many levels of symbolic links")
        _check_link(Path(candidate), found)
        try:
            pointed = Path(os.readlink(candidate))
        except OSError as exc:
            raise InputError(Path(candidate), f"cannot read the symbolic link ({exc.strerror})") from None
        if pointed.is_absolute():
            resolved = pointed.anchor
        pending.extend(reversed(pointed.parts[1:] if pointed.is_absolute() else pointed.parts))
    return resolved, links


def check_writable_target(target: Path) -> None:
    """Refuse a target that is a folder or a read-only file (whoever made it read-only meant it)."""
    check_writable_file(real_target(target))


def check_writable_file(target: Path) -> None:
    """`check_writable_target` for a path already resolved with `real_target`."""
    try:
        found = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EBADF):  # as `Path.exists` and `Path.is_dir` take it: nothing there
            return
        raise
    if stat.S_ISDIR(found.st_mode):
        raise InputError(target, "is a folder, cannot write a file there")
    if not found.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise InputError(target, "is read-only; refusing to replace it (make it writable, or write elsewhere)")


def _new_file_mode() -> int:
    """What `open()` would give a new file under the current umask."""
    current = os.umask(0o022)
    os.umask(current)
    return 0o666 & ~current


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done, then deliver them.

    Only the main thread can install signal handlers; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {number: signal.getsignal(number) for number in DEFERRED_SIGNALS}
    for number in DEFERRED_SIGNALS:
        signal.signal(number, lambda received, frame: pending.append(received))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if pending:
            signal.raise_signal(pending[0])


def _stage(target: Path, data: bytes, staged: list[tuple[Path, Path]]) -> None:
    """Write `data` to a temporary file beside `target`'s real file and record it in `staged`."""
    destination = real_target(target)
    check_writable_file(destination)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    except OSError as exc:
        raise InputError(target, f"cannot write ({exc.strerror})") from None
    staged.append((Path(name), destination))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        mode = stat.S_IMODE(destination.stat().st_mode) if destination.exists() else _new_file_mode()
        os.chmod(name, mode)
    except OSError as exc:
        raise InputError(target, f"cannot write ({exc.strerror})") from None


def _holds(target: Path, data: bytes) -> bool:
    try:
        return real_target(target).read_bytes() == data
    except OSError:
        return False


def _created_folders(targets: list[Path]) -> list[Path]:
    """The folders that writing `targets` would create, deepest first (removed again if writing fails)."""
    missing: set[Path] = set()
    for target in targets:
        folder = real_target(target).parent
        while not folder.exists() and folder.parent != folder:
            missing.add(folder)
            folder = folder.parent
    return sorted(missing, key=lambda p: len(p.parts), reverse=True)


@dataclass(frozen=True)
class IfUnchanged:
    """New content for a file others edit, to land only if the file still holds `held` (None: absent)."""

    content: str | bytes
    held: bytes | None


def write_all_atomic(files: Mapping[Path, str | bytes | IfUnchanged]) -> None:
    """Write several files so that all of them land or none does (short of a crash mid-rename).

    Text is written as UTF-8 with "\\n" line ends. A file that already holds the content is not
    rewritten. Folders created for a write that fails are removed again, so a failed run leaves the
    tree as it found it.

    Files given as `IfUnchanged` (those others edit) are renamed first, each compared once more with
    what it held immediately before its own rename: a save that lands while the other files are
    staged is never overwritten. If one changed, `ChangedMeanwhile` is raised and neither it nor
    anything after it is replaced (with several such files, those before it have landed).
    """
    with resolving_folders_once():
        _write_all(files)


def _write_all(files: Mapping[Path, str | bytes | IfUnchanged]) -> None:
    staged: list[tuple[Path, Path]] = []
    new_folders = _created_folders([Path(t) for t in files])
    watched: dict[Path, tuple[Path, bytes | None]] = {}
    done = False
    with deferred_interrupts():
        try:
            for target, content in files.items():
                condition = content if isinstance(content, IfUnchanged) else None
                content = condition.content if condition else content
                data = content.encode("utf-8") if isinstance(content, str) else content
                if _holds(Path(target), data):
                    continue  # already there: left untouched, mtime and all
                _stage(Path(target), data, staged)
                if condition:
                    watched[staged[-1][1]] = (Path(target), condition.held)
            staged.sort(key=lambda item: item[1] not in watched)  # files others edit first
            for tmp, destination in staged:
                if destination in watched and not _unchanged(destination, watched[destination][1]):
                    raise ChangedMeanwhile(watched[destination][0])
                try:
                    os.replace(tmp, destination)
                except OSError as exc:
                    raise InputError(destination, f"cannot write ({exc.strerror})") from None
            done = True
        finally:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            if not done:
                for folder in new_folders:
                    try:
                        folder.rmdir()
                    except OSError:
                        pass


def _unchanged(destination: Path, expected: bytes | None) -> bool:
    """Whether `destination` still holds `expected` (None: is absent), checked as late as can be.

    The bytes are compared, then the status of the path with that of the file just read, so a save
    that lands during the read is caught too: only the step from here to the rename remains open
    (closing it would need the editor to take the lock).
    """
    try:
        with open(destination, "rb") as handle:
            data = handle.read()
            read = os.fstat(handle.fileno())
    except FileNotFoundError:
        return expected is None and not os.path.lexists(destination)
    except OSError:
        return False
    if data != expected:
        return False
    try:
        now = os.stat(destination)
    except OSError:
        return False
    return (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns) == (read.st_dev, read.st_ino, read.st_size, read.st_mtime_ns)


def write_text_atomic(target: Path, text: str) -> None:
    write_all_atomic({Path(target): text})


def write_bytes_atomic(target: Path, data: bytes) -> None:
    write_all_atomic({Path(target): data})
