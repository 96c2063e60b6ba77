"""A made-up corpus declaration for tests that need a valid one and care about few of its fields."""

from __future__ import annotations

from typing import Any

from vqa_core.declarations import CorpusDeclaration, Edition

__all__ = ["toy_declaration"]


def toy_declaration(corpus_id: str = "toy", **overrides: Any) -> CorpusDeclaration:
    """A valid declaration of corpus ``corpus_id``; ``overrides`` replace any of its fields.

    The defaults: a labelled corpus on the 1–5 scale, open access, version and one
    edition ``<corpus_id>-1`` of ``toy.csv`` with 1,000 data rows (more than a test
    writes, so a test's file never passes for the published one), extension columns
    under ``toy_``, every clip its own content and no published split. Override only
    what the test is about, e.g. ``toy_declaration("ladder", splits=("train", "test"))``
    or ``toy_declaration("grid", scale="none", editions=())``.
    """
    fields: dict[str, Any] = {
        "id": corpus_id,
        "title": "A toy corpus",
        "version": f"{corpus_id}-1",
        "scale": "1-5",
        "licence": "CC0",
        "licence_url": "https://example.org/licence",
        "citation": "A. Author. Toy. 2026.",
        "homepage": "https://example.org/toy",
        "access": "open",
        "access_instructions": "download it from example.org",
        "editions": (Edition(f"{corpus_id}-1", "toy.csv", 1000),),
        "column_prefix": "toy_",
    }
    fields.update(overrides)
    return CorpusDeclaration(**fields)
