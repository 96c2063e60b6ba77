"""What the LIVE-VQC plugin declares."""

from __future__ import annotations

from typing import Final

from vqa_core.plugin import CorpusDeclaration, Edition

LIVE_VQC: Final = CorpusDeclaration(
    id="live-vqc",
    title="LIVE video quality challenge database (LIVE-VQC)",
    version="live-vqc-2019",
    scale="0-100",
    licence="Research use, attribution",
    licence_url="https://live.ece.utexas.edu/research/LIVEVQC/index.html",
    citation=(
        "Z. Sinno, A. C. Bovik. Large-Scale Study of Perceptual Video Quality. "
        "IEEE Transactions on Image Processing 28(2), 2019."
    ),
    homepage="https://live.ece.utexas.edu/research/LIVEVQC/index.html",
    access="form",
    access_instructions=(
        "request the download link through the form on the database page; put data.mat (or a "
        "filename,mos text file) and the Video/ folder of A001.mp4 … clips into the dataset root"
    ),
    editions=(
        Edition("live-vqc-2019", "data.mat", 585, "video_list and mos, 585 × 1 each"),
        Edition("live-vqc-2019", "mos.csv", 585, "the same scores as filename,mos text"),
    ),
    expected_clips=585,
    column_prefix="livevqc_",
    default_metadata=("data.mat", "mos.csv", "mos.txt"),
    default_clips_dir="Video",
    downloads=False,
    notes=(
        "Scores are read from the published data.mat (video_list and mos, read with scipy) or from "
        "filename,mos text with or without a header; a bare name gets .mp4. Clips are looked up in Video/ "
        "under the dataset root."
    ),
)
