"""vqa corpus plugin for YOUTUBE_UGC.

This package ships parsers and a synthetic sample writer only; it does not ship
any clip, score or derived value of the corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from vqa_core import hookimpl
from vqa_youtube_ugc.declarations import YOUTUBE_UGC

if TYPE_CHECKING:
    from vqa_core.declarations import CorpusDeclaration

__version__ = "0.1.0"
vqa_plugin_api = ">=1,<2"


@hookimpl
def vqa_register_corpora(register: Callable[[CorpusDeclaration], None]) -> None:
    register(YOUTUBE_UGC)
