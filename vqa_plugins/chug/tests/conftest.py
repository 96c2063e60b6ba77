from __future__ import annotations

import pytest
import vqa_chug

from vqa_core.registry import Registry


@pytest.fixture
def reg() -> Registry:
    """A registry holding this plugin only (the suite never depends on what else is installed)."""
    return Registry.from_plugins([("vqa-chug", vqa_chug)])
