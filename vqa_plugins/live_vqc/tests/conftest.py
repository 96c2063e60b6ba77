from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
import vqa_live_vqc

from vqa_core.registry import Registry


@pytest.fixture
def reg() -> Registry:
    """A registry holding this plugin only (the suite never depends on what else is installed)."""
    return Registry.from_plugins([("vqa-live-vqc", vqa_live_vqc)])


@pytest.fixture
def foreign_plugin() -> Callable[[str, str, int], ModuleType]:
    """Makes a minimal plugin declaring another corpus whose one edition has ``rows`` rows."""
    return _foreign_plugin


def _foreign_plugin(corpus_id: str, metadata: str, rows: int) -> ModuleType:
    from vqa_core import hookimpl
    from vqa_core.declarations import CorpusDeclaration, Edition

    module = ModuleType(f"foreign_{corpus_id.replace('-', '_')}")
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
    def vqa_register_corpora(register):  # type: ignore[no-untyped-def]
        register(declaration)

    module.vqa_register_corpora = vqa_register_corpora  # type: ignore[attr-defined]
    module.vqa_plugin_api = ">=1,<2"  # type: ignore[attr-defined]
    return module
