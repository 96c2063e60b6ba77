"""Decoded clips of a unified or labelled table for a PyTorch training loop (the ``train`` extra).

:class:`ClipDataset` is a map-style ``torch.utils.data.Dataset``; each item is a
:class:`ClipItem` (or, under ``on_error="skip"``, a :class:`SkippedClip`), and
:func:`collate_clips` makes the :class:`ClipBatch` a loop consumes. See
``docs/interop.md``.
"""

from __future__ import annotations

from vqa_core.extras import require as _require

# before anything imports torch: without the extra, one line that says how to install it
_require("torch", "vqa_core.data", "train")

from vqa_core.data.dataset import (  # noqa: E402
    ClipBatch,
    ClipDataset,
    ClipItem,
    SkippedClip,
    collate_clips,
)
from vqa_core.errors import ClipDecodeError  # noqa: E402

__all__ = ["ClipDataset", "ClipItem", "SkippedClip", "ClipBatch", "collate_clips", "ClipDecodeError"]
