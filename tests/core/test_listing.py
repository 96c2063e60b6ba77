from __future__ import annotations

from pathlib import Path

from vqa_core.listing import corpora_markdown, corpus_entries, first_party_registry

REPO = Path(__file__).resolve().parents[2]


def test_docs_corpora_page_matches_the_declarations() -> None:
    expected = corpora_markdown(first_party_registry())
    assert (REPO / "docs" / "corpora.md").read_text() == expected, (
        "docs/corpora.md is out of date: run `python -m vqa_core.listing > docs/corpora.md`"
    )


def test_entries_have_the_documented_fields() -> None:
    entries = corpus_entries(first_party_registry())
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    assert all(e["status"] == "ok" and e["error"] is None for e in entries)
