"""The review page: a run's sentences side by side with their terms, states and check findings.

It sits above the formats and the checks: it reads the PO catalogue's line numbers through
`formats.po` and runs `checks` over the run's sentences; neither of them knows it. `ReviewPage`
is the output format the registry (`dolmetsch.output`) lists.
"""

from __future__ import annotations

from dolmetsch.review.page import ReviewPage, render_page
from dolmetsch.review.view import ReviewView, review_view

__all__ = ["ReviewPage", "ReviewView", "render_page", "review_view"]
