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


def test_docs_corpora_page_states_groups_and_splits_of_every_corpus() -> None:
    page = corpora_markdown(first_party_registry())
    sections = page.split("\n## ")[1:]
    assert len(sections) == len(first_party_registry().corpora)
    for section in sections:
        assert "\n- Content groups: " in section and "\n- Published splits: " in section
    lsvq = next(s for s in sections if s.startswith("lsvq\n"))
    assert "- Published splits: `train`, `test`, `test-1080p`" in lsvq
    bvi = next(s for s in sections if s.startswith("bvi-dvc\n"))
    assert "- Content groups: the sequence name without its resolution-class letter" in bvi
