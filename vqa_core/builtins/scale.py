"""The default MOS scale conversion: the affine map of the declared scale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vqa_core.hookspecs import hookimpl
from vqa_core.scales import ScaleConversion

if TYPE_CHECKING:
    from vqa_core.declarations import CorpusDeclaration


@hookimpl(trylast=True)
def vqa_scale_conversion(corpus: CorpusDeclaration) -> ScaleConversion | None:
    """``lo`` → 0, ``hi`` → 100 (reversed for ``dmos``); ``None`` for corpora without labels."""
    if not corpus.scale.has_labels:
        return None
    return ScaleConversion.affine(corpus.scale)
