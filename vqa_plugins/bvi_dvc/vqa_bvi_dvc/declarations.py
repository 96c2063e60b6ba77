"""What the BVI-DVC plugin declares."""

from __future__ import annotations

from typing import Final

from vqa_core.plugin import CorpusDeclaration, Edition

BVI_DVC: Final = CorpusDeclaration(
    id="bvi-dvc",
    title="BVI-DVC, a training database for deep video compression",
    version="bvi-dvc-2021",
    # No subjective scores: BVI-DVC yields encode-grid rows, never MOS rows.
    scale="none",
    licence="Research use, no redistribution",
    licence_url="https://fan-aaron-zhang.github.io/BVI-DVC/",
    citation=(
        "D. Ma, F. Zhang, D. R. Bull. BVI-DVC: A Training Database for Deep Video Compression. "
        "IEEE Transactions on Multimedia 24, 2022."
    ),
    homepage="https://fan-aaron-zhang.github.io/BVI-DVC/",
    access="open",
    access_instructions=(
        "download the BVI-DVC sequences from the database page, compute libvmaf JSON per sequence, and "
        "point --root at the folder of <sequence>.json files"
    ),
    editions=(Edition("bvi-dvc-2021", "*.json", 800, "one metric file per sequence, 270p to 2160p"),),
    expected_clips=800,
    column_prefix="bvi_",
    default_metadata=(),
    default_clips_dir="",
    downloads=False,
    notes=(
        "No subjective scores: ingest yields encode-grid rows for merge-grid; excluded from MOS aggregation."
    ),
    content_groups=(
        "the sequence name without its resolution-class letter (A–D): DBookcaseBVITexture at 480x272 and "
        "ABookcaseBVITexture at 3840x2176 are one content"
    ),
)
