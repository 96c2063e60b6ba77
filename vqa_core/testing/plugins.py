"""Stand-in plugins for a plugin's own tests."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration, Edition
from vqa_core.testing.declarations import toy_declaration

__all__ = ["other_corpus_plugin"]


def other_corpus_plugin(corpus_id: str, metadata: str, rows: int) -> ModuleType:
    """A minimal plugin declaring corpus ``corpus_id``, whose one edition is ``metadata`` with ``rows`` rows.

    Register it next to yours (``Registry.from_plugins``) to test that your
    corpus refuses metadata that has the size of another corpus's file and
    names that corpus, instead of ingesting the wrong dataset.
    """
    module = ModuleType(f"other_{corpus_id.replace('-', '_')}")
    declaration = toy_declaration(
        corpus_id, title="Another corpus", editions=(Edition(f"{corpus_id}-1", metadata, rows),)
    )

    @hookimpl
    def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
        register(declaration)

    module.vqa_register_corpora = vqa_register_corpora  # type: ignore[attr-defined]
    module.vqa_plugin_api = ">=1,<2"  # type: ignore[attr-defined]
    return module
