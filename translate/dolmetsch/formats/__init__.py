"""One module per file format: how a translated document is rendered as that file, and, where the
format can be read back, its reader (`read_segments`, `read_tmx`, the PO catalogue's readers).

Every format is an `OutputFormat` (`formats/base.py`). The formats know neither the checks nor
the review page; the registry of what a run writes, and the writer, are `dolmetsch.output`.
"""
