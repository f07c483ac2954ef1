"""A run loads the readers of the source formats it reads, no others."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dolmetsch import sources

MARKUP_READERS = ("dolmetsch.markup.document", "dolmetsch.markup.html", "dolmetsch.markup.markdown",
                  "dolmetsch.markup.docx", "dolmetsch.markup.odt", "dolmetsch.markup.office")


def loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_a_text_run_loads_no_markup_reader(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Kim Jong Un besuchte Moskau. Putin empfing ihn.\n", encoding="utf-8")
    loaded = loaded_after(f"import dolmetsch.api, dolmetsch.cli; from dolmetsch.sources import read_document; read_document({str(article)!r})")
    assert "dolmetsch.api" in loaded
    assert [name for name in loaded if name.split(".")[0] in ("lxml", "markdown_it") or name in MARKUP_READERS] == []


def test_an_html_source_loads_its_reader(tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<p>Putin empfing ihn.</p>", encoding="utf-8")
    loaded = loaded_after(f"from dolmetsch.sources import read_document; read_document({str(page)!r})")
    assert "dolmetsch.markup.document" in loaded


@pytest.mark.parametrize("entry", [s for s in sources.SOURCES if isinstance(s, sources.LazySource)], ids=lambda s: s.name)
def test_a_lazy_source_is_named_as_its_reader(entry):
    assert (entry.name, entry.suffixes) == (entry.reader().name, entry.reader().suffixes)
    assert sources.source_format(f"a{entry.suffixes[0]}") is entry
