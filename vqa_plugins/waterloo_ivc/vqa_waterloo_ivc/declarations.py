"""What the Waterloo IVC 4K-VQA plugin declares."""

from __future__ import annotations

from typing import Final

from vqa_core.plugin import CorpusDeclaration, Edition

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
    notes=(
        "Clips are headerless raw .yuv named <encoder>_<video>_<resolution>_<level>.yuv; the frame size "
        "comes from the resolution token (540p = 960x540, 1080p = 1920x1080, 2160p = 3840x2160), the "
        "frame count from the file size. The pixel format and frame rate of the raw clips are not "
        "published with scores.txt: vqa assumes yuv420p at 30 frames/s; set VQA_WATERLOO_IVC_4K_PIX_FMT "
        "or VQA_WATERLOO_IVC_4K_FRAMERATE if your copy differs. Encoded clips (.mp4, .mkv) with the "
        "same stem are probed instead."
    ),
    content_groups=(
        "video_number: the source video (1–20) every encoder, resolution and distortion level was made from"
    ),
)
