"""What the Waterloo IVC 4K-VQA plugin declares."""

from __future__ import annotations

from typing import Final

from vqa_core.declarations import CorpusDeclaration, Edition

WATERLOO_IVC_4K: Final = CorpusDeclaration(
    id="waterloo-ivc-4k",
    title="Waterloo IVC 4K video quality database",
    version="waterloo-ivc-4k-201908",
    scale="0-100",
    licence="Academic use, attribution",
    licence_url="https://ivc.uwaterloo.ca/database/4KVQA.html",
    citation=(
        "Z. Li, Z. Duanmu, W. Liu, Z. Wang. AVC, HEVC, VP9, AVS2 or AV1? A Comparative Study of "
        "State-of-the-art Video Encoders on 4K Videos. ICIAR 2019."
    ),
    homepage="https://ivc.uwaterloo.ca/database/4KVQA.html",
    access="open",
    access_instructions=(
        "download scores.txt (https://ivc.uwaterloo.ca/database/4KVQA/201908/scores.txt) and the video "
        "archives from the database page, and extract the .yuv clips into the dataset root"
    ),
    editions=(
        Edition(
            "waterloo-ivc-4k-201908", "scores.txt", 1200, "20 sources × 5 encoders × 3 resolutions × 4 levels"
        ),
    ),
    expected_clips=1200,
    column_prefix="waterloo_",
    default_metadata=("scores.txt",),
    default_clips_dir="",
    downloads=False,
    notes="Clips are headerless raw .yuv; geometry comes from the clip name, frame count from the file size.",
)
