"""Which distribution provides each corpus of the vqa project.

Data only: core never imports a plugin. The table lets an error about an
uninstalled corpus say what to install.
"""

from __future__ import annotations

from typing import Final

__all__ = ["FIRST_PARTY_DISTRIBUTIONS", "install_hint"]

FIRST_PARTY_DISTRIBUTIONS: Final[dict[str, str]] = {
    "konvid-1k": "vqa-konvid",
    "konvid-150k": "vqa-konvid",
    "lsvq": "vqa-lsvq",
    "youtube-ugc": "vqa-youtube-ugc",
    "waterloo-ivc-4k": "vqa-waterloo-ivc",
    "live-vqc": "vqa-live-vqc",
    "chug": "vqa-chug",
    "bvi-dvc": "vqa-bvi-dvc",
}


def install_hint(corpus_id: str) -> str:
    """One sentence telling how to get a plugin for ``corpus_id``."""
    dist = FIRST_PARTY_DISTRIBUTIONS.get(corpus_id)
    if dist:
        return f"the {dist} plugin provides it: pip install {dist}"
    return "install the plugin distribution that provides it (see `vqa corpora list` for what is installed)"
