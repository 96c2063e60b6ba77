"""What the YouTube UGC plugin declares."""

from __future__ import annotations

from typing import Final

from vqa_core.plugin import CorpusDeclaration, Edition

#: Public bucket of the original uploads: original_videos/<category>/<resolution>P/<vid>.mkv
BUCKET: Final = "https://storage.googleapis.com/ugc-dataset"

YOUTUBE_UGC: Final = CorpusDeclaration(
    id="youtube-ugc",
    title="YouTube UGC dataset for video compression research",
    version="ugc-2019-orig",
    scale="1-5",
    licence="CC BY 3.0",
    licence_url="https://creativecommons.org/licenses/by/3.0/",
    citation=(
        "Y. Wang, S. Inguva, B. Adsumilli. YouTube UGC Dataset for Video Compression Research. "
        "IEEE MMSP 2019."
    ),
    homepage="https://media.withyoutube.com/",
    access="open",
    access_instructions=(
        "download original_videos_MOS_for_YouTube_UGC_dataset.xlsx from the dataset page into the dataset "
        f"root; missing clips are fetched from {BUCKET}/original_videos/<category>/<resolution>P/<vid>.mkv"
    ),
    editions=(
        Edition(
            "ugc-2019-orig",
            "original_videos_MOS_for_YouTube_UGC_dataset.xlsx",
            1380,
            "MOS sheet of the published spreadsheet",
        ),
    ),
    expected_clips=1380,
    column_prefix="ugc_",
    default_metadata=("original_videos_MOS_for_YouTube_UGC_dataset.xlsx",),
    default_clips_dir="original_videos",
    downloads=True,
    download_hosts=("storage.googleapis.com",),
    notes=(
        "Scores come from the MOS sheet (MOS full, std full, # subjects; chunk scores in ugc_mos_chunk*); "
        "a DMOS column is never taken as MOS. Clips are matched by vid whatever their suffix on disk "
        "(<vid>.mkv, <vid>.mp4, <vid>_crf_10_ss_00_t_20.0.mp4), nested by category/resolution or flat."
    ),
)
