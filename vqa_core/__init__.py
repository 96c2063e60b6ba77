"""vqa: published video-quality corpora as one verified, resumable table.

Importing this package is cheap and loads no plugin; commands ask the
registry (:mod:`vqa_core.registry`) for discovery.
"""

from __future__ import annotations

from vqa_core._version import __version__
from vqa_core.hookspecs import PLUGIN_API_VERSION, hookimpl

__all__ = ["__version__", "hookimpl", "PLUGIN_API_VERSION"]
