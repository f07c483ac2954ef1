"""XLIFF exchange with CAT tools: what `dolmetsch xliff export` and `dolmetsch xliff import` do.

The PO stays the project's record of review; the XLIFF (`out/S.de-en.xlf`, see
`dolmetsch.formats.xliff`) is what a CAT tool edits. Export reads the document and its PO and
writes the XLIFF. Import merges the tool's work back into the PO with the guarantees of every PO
write (`dolmetsch.output.writer`): the lock beside the PO, the merge, and a check immediately
before the rename that the PO still holds what was merged (a reviewer's save meanwhile is merged
in again; if the file keeps changing nothing is replaced and the result goes to `S.po.new`).
A refused XLIFF (entities or a DTD, another language pair, another document, a unit whose `<g>`
or `<x>` do not pair up with its source's) is one line, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dolmetsch.atomic import ChangedMeanwhile, IfUnchanged, check_writable_file, real_target, resolving_folders_once, write_all_atomic
from dolmetsch.document.reading import MAX_CATALOGUE_BYTES, output_stem, printable, read_regular_file
from dolmetsch.errors import ConcurrentEditError, InputError
from dolmetsch.formats.po import GettextCatalog, fitting_markup, parse_catalog, po_text, read_catalog, refuse_other_documents, same_content
from dolmetsch.formats.xliff import XliffExport, XliffFile, belongs, merge_xliff, not_xml, read_xliff, render_xliff, sentence_entries
from dolmetsch.output.writer import MERGE_ATTEMPTS, ensure_writable, file_lock
from dolmetsch.sources import read_document
from dolmetsch.targets import check_folder, check_output_name, check_source_name


@dataclass(frozen=True)
class Exported:
    """An XLIFF written: where, and how many units it holds."""

    path: Path
    units: int


@dataclass(frozen=True)
class Imported:
    """What an import did to a PO: whether it was rewritten, what changed, and what was reported."""

    po: Path
    written: bool
    translations: int = 0
    states: int = 0
    notes: int = 0
    kept_obsolete: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    """One line each (`FILE:LINE: unit …`): units no longer the PO's sentences, units changed on both sides."""

    def summary(self) -> str:
        if not self.written:
            return f"{self.po}: unchanged"
        counts = [
            f"{self.translations} translation(s)",
            f"{self.states} review state(s)",
            f"{self.notes} comment(s)",
        ]
        if self.kept_obsolete:
            counts.append(f"{self.kept_obsolete} kept as obsolete")
        return f"{self.po}: {', '.join(counts)} taken from the XLIFF"


def export_xliff(source: str, *, out_dir: Path | str = "out", locales_dir: Path | str = "locales", name: str | None = None) -> Exported:
    """Write `OUT/S.de-en.xlf`, XLIFF 1.2 of `source`'s sentences as its PO holds them.

    InputError (nothing written) for a source that cannot be read, a missing PO or another
    document's, a sentence the PO lacks (run `dolmetsch translate` first), a translation whose
    placeholders do not pair up with its German's, or a target that cannot be written.
    """
    out_dir, locales_dir = Path(out_dir), Path(locales_dir)
    output = XliffExport()
    if name is not None:
        check_output_name(name, suffix=output.suffix)
    check_folder(out_dir, "--out")
    check_folder(locales_dir, "--locales")
    check_source_name(source, name, suffix=output.suffix)
    target = output.path(output_stem(source, name), out_dir, None)
    with resolving_folders_once():
        destination = real_target(target)
        ensure_writable(destination.parent)
        check_writable_file(destination)
    document = read_document(source, name)
    po = GettextCatalog().path(document.name, None, locales_dir)
    if not po.is_file():
        raise InputError(po, "no PO catalogue for this document: run `dolmetsch translate` first")
    catalog = read_catalog(po, for_merging=False)
    refuse_other_documents(catalog, po, document)
    entries, missing = sentence_entries(document, catalog)
    if missing:
        first = missing[0]
        raise InputError(
            po,
            f"{len(missing)} sentence(s) of {document.source} have no entry here, the first from line {first.line}: "
            f"{first.text[:60]!r}; run `dolmetsch translate` first",
        )
    for segment, entry in entries:
        fitting_markup(po, entry, segment)
        problem = not_xml(entry)
        if problem:
            raise InputError(po, f"{problem}: remove it before exporting", entry.linenum)
    write_all_atomic({target: render_xliff(document, entries)})
    return Exported(target, len(entries))


def import_xliff(path: Path | str, *, locales_dir: Path | str = "locales", name: str | None = None) -> Imported:
    """Merge the CAT tool's work in the XLIFF at `path` into its document's PO (see
    `dolmetsch.formats.xliff.merge_xliff`), under the PO's lock; a PO that would not change is not
    rewritten. The PO is `LOCALES/en/LC_MESSAGES/S.po`, S the name of the XLIFF's `original`
    (`name` when the document's outputs were named with --name).

    InputError (nothing written) for an XLIFF that is refused or a PO that cannot be read or is
    another document's; ConcurrentEditError (exit 1) when the PO kept changing while it was written.
    """
    path, locales_dir = Path(path), Path(locales_dir)
    where = printable(str(path))
    xliff = read_xliff(read_regular_file(path, MAX_CATALOGUE_BYTES), where)
    check_folder(locales_dir, "--locales")
    stem = output_stem(xliff.original, name)
    check_output_name(stem, f"{where}: the name of its original {xliff.original!r}" if name is None else None, suffix=".po")
    po = GettextCatalog().path(stem, None, locales_dir)
    if not po.is_file():
        raise InputError(po, f"no PO catalogue for {xliff.original}, whose XLIFF {where} is (give --locales, or --name if its outputs were named so)")
    with resolving_folders_once():
        check_writable_file(real_target(po))
    with file_lock(po):
        for _ in range(MERGE_ATTEMPTS):
            held = read_regular_file(po, MAX_CATALOGUE_BYTES)
            catalog, _ = parse_catalog(po, held)
            _refuse_other_document(catalog, xliff, po)
            merged = merge_xliff(catalog, xliff)
            warnings = tuple(f"{where}:{line}" for line in merged.stale + merged.conflicts)
            if merged.unchanged or same_content(merged.catalog, catalog):
                return Imported(po, False, warnings=warnings)
            try:
                write_all_atomic({po: IfUnchanged(po_text(merged.catalog), held)})
            except ChangedMeanwhile:
                continue  # a reviewer saved meanwhile: merge into their file again
            return Imported(po, True, merged.translations, merged.states, merged.notes, merged.kept_obsolete, warnings)
        beside = po.with_name(po.name + ".new")
        write_all_atomic({beside: po_text(merged.catalog)})
        raise ConcurrentEditError(po, f"changed while the XLIFF was being imported; nothing was replaced, the result is in {beside}")


def _refuse_other_document(catalog, xliff: XliffFile, po: Path) -> None:
    same, sources = belongs(catalog, xliff)
    if not same:
        held = ", ".join(sources[:3]) or "no document"
        raise InputError(
            xliff.where,
            f"is the XLIFF of {xliff.original}, but {po} holds {held}; import it into that document's PO (--locales, --name)",
        )
