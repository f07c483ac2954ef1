"""dolmetsch: offline German→English translation with an enforced glossary and a PO review loop.

Stages import one way only: document → engine → glossary → pipeline → formats → checks; the CLI
is a thin layer over `dolmetsch.api`, whose names are importable from here. Nothing heavy
(ctranslate2, models, indexes) is loaded at import time.
"""

__version__ = "0.2.0"

_API = ("Translator", "translate_files", "write_outputs", "load_engine", "run_glossary", "plan_outputs")
_DOCUMENTS = ("read_document", "parse_text")
__all__ = ["__version__", *_API, *_DOCUMENTS]


def __getattr__(name: str):
    # resolved on first use, so `import dolmetsch` (and `dolmetsch --help`) stays instant
    if name in _API:
        from dolmetsch import api

        return getattr(api, name)
    if name in _DOCUMENTS:
        from dolmetsch.document import reading

        return getattr(reading, name)
    raise AttributeError(f"module 'dolmetsch' has no attribute {name!r}")
