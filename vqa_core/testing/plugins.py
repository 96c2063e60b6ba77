"""Stand-in plugins for a plugin's own tests."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from vqa_core import hookimpl
from vqa_core.declarations import CorpusDeclaration, Edition

__all__ = ["other_corpus_plugin"]


def other_corpus_plugin(corpus_id: str, metadata: str, rows: int) -> ModuleType:
    """A minimal plugin declaring corpus ``corpus_id``, whose one edition is ``metadata`` with ``rows`` rows.

    Register it next to yours (``Registry.from_plugins``) to test that your
    corpus refuses metadata that has the size of another corpus's file and
    names that corpus, instead of ingesting the wrong dataset.
    """
    module = ModuleType(f"other_{corpus_id.replace('-', '_')}")
    declaration = CorpusDeclaration(
        id=corpus_id,
        title="Another corpus",
        version=f"{corpus_id}-1",
        scale="0-100",
        licence="Research use",
        licence_url="https://example.org/licence",
        citation="A. Author. Another corpus. 2020.",
        homepage="https://example.org",
        access="open",
        access_instructions="download it from example.org",
        editions=(Edition(f"{corpus_id}-1", metadata, rows),),
    )

    @hookimpl
    def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
        register(declaration)

    module.vqa_register_corpora = vqa_register_corpora  # type: ignore[attr-defined]
    module.vqa_plugin_api = ">=1,<2"  # type: ignore[attr-defined]
    return module
