"""Which first-party distribution provides each corpus and feature schema of the vqa project.

The table itself is data (``catalogue.toml`` beside this module): core never imports a
plugin, and names no corpus in code. It lets an error about an uninstalled corpus or
feature schema say what to install, and lets first-party distributions load first.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Final

__all__ = ["FIRST_PARTY_DISTRIBUTIONS", "SCHEMA_DISTRIBUTIONS", "install_hint"]


def _load() -> tuple[dict[str, str], dict[str, str]]:
    table = tomllib.loads(Path(__file__).with_name("catalogue.toml").read_text(encoding="utf-8"))
    corpora = {cid: dist for dist, entry in table.items() for cid in entry.get("corpora", ())}
    schemas = {name: dist for dist, entry in table.items() for name in entry.get("feature_schemas", ())}
    return corpora, schemas


_CORPORA, _SCHEMAS = _load()
#: Corpus id → the distribution that declares it.
FIRST_PARTY_DISTRIBUTIONS: Final[dict[str, str]] = _CORPORA
#: Feature schema name → the distribution that declares it.
SCHEMA_DISTRIBUTIONS: Final[dict[str, str]] = _SCHEMAS


def install_hint(name: str) -> str:
    """One sentence telling how to get a plugin for the corpus id or feature schema ``name``."""
    dist = FIRST_PARTY_DISTRIBUTIONS.get(name) or SCHEMA_DISTRIBUTIONS.get(name)
    if dist:
        return f"the {dist} plugin provides it: pip install {dist}"
    return "install the plugin distribution that provides it (see `vqa corpora list` for what is installed)"
