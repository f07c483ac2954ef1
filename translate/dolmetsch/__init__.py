"""dolmetsch: offline German→English translation with an enforced glossary and a PO review loop.

Stages import one way only, top to bottom (see the README's "How it works" and the import-linter
contract in pyproject.toml): the CLI is a thin layer over `dolmetsch.api`, whose names are
importable from here; below it the workers (`scale`), the output registry, the review page,
the memory, the formats, the checks, the pipeline, enforcement and the engine, and at the bottom
the one model of a translation (`translation`) and the document, glossary and package layers.
Nothing heavy (ctranslate2, models, indexes) is loaded at import time.
"""

from dolmetsch.version import __version__

_API = ("Translator", "translate_files", "write_outputs", "load_engine", "run_glossary", "plan_outputs")
_SOURCES = ("read_document",)
_READING = ("parse_text",)
_OPTIONS = ("RunOptions",)
__all__ = ["__version__", *_API, *_SOURCES, *_READING, *_OPTIONS]


def __getattr__(name: str):
    # resolved on first use, so `import dolmetsch` (and `dolmetsch --help`) stays instant
    if name in _API:
        from dolmetsch import api

        return getattr(api, name)
    if name in _SOURCES:
        from dolmetsch import sources

        return getattr(sources, name)
    if name in _READING:
        from dolmetsch.document import reading

        return getattr(reading, name)
    if name in _OPTIONS:
        from dolmetsch import options

        return getattr(options, name)
    raise AttributeError(f"module 'dolmetsch' has no attribute {name!r}")
