"""dolmetsch: offline German→English translation with an enforced glossary and a PO review loop.

Stages import one way only: document → engine → glossary → outputs; the CLI wires them.
Nothing heavy (ctranslate2, models, indexes) is loaded at import time.
"""

__version__ = "0.1.0"
