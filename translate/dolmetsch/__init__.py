"""dolmetsch: offline German→English translation with an enforced glossary and a PO review loop.

Stages import one way only: document → engine → glossary → pipeline → formats (and checks);
the CLI is a thin layer over `dolmetsch.api`. Nothing heavy (ctranslate2, models, indexes) is
loaded at import time.
"""

__version__ = "0.2.0"
