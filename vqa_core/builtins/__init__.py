"""Core's own hook implementations, registered like any plugin before the corpus plugins."""

from __future__ import annotations

from typing import Final

from vqa_core.builtins import scale

__all__ = ["DEFAULT_PLUGINS"]

#: Built-in plugins, by registration name.
DEFAULT_PLUGINS: Final = (("vqa_core.builtins.scale", scale),)
