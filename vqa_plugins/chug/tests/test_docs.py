"""The corpus page documents what the plugin declares (editions, extension columns)."""

from __future__ import annotations

from pathlib import Path

from vqa_core.registry import Registry

CORPUS = "chug"
PAGE = Path(__file__).resolve().parents[3] / "docs" / "corpora" / f"{CORPUS}.md"


def test_corpus_page_names_every_edition_and_extension_column(reg: Registry) -> None:
    text = PAGE.read_text(encoding="utf-8")
    corpus = reg.corpus(CORPUS)
    for edition in corpus.declaration.editions:
        assert edition.name in text and f"{edition.rows:,}" in text, edition
    for field in corpus.extension:
        assert f"`{field.name}`" in text, field.name
    clips_dir = corpus.declaration.default_clips_dir
    assert not clips_dir or f"{clips_dir}/" in text
