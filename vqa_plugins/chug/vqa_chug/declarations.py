"""What the CHUG plugin declares."""

from __future__ import annotations

from typing import Final

from vqa_core.plugin import CorpusDeclaration, Edition

#: Public bucket of the CHUG clips: <VIDEO_BASE>/<Video>.mp4
VIDEO_BASE: Final = "https://ugchdrmturk.s3.us-east-2.amazonaws.com/videos"

CHUG: Final = CorpusDeclaration(
    id="chug",
    title="CHUG, crowdsourced user-generated HDR video quality",
    version="chug-icip-2025",
    # Stored mos is 1 + 4·raw/100 (1–5); the published 0–100 value is kept in mos_raw_0_100.
    scale="1-5",
    licence="CC BY-NC-SA 4.0",
    licence_url="https://creativecommons.org/licenses/by-nc-sa/4.0/",
    citation=(
        "S. Saini, A. C. Bovik, N. Birkbeck, Y. Wang, B. Adsumilli. CHUG: Crowdsourced User-Generated "
        "HDR Video Quality Dataset. IEEE ICIP 2025."
    ),
    homepage="https://github.com/shreshthsaini/CHUG",
    access="open",
    access_instructions=(
        "download chug.csv from https://github.com/shreshthsaini/CHUG into the dataset root; "
        f"missing clips are fetched from {VIDEO_BASE}/<Video>.mp4"
    ),
    editions=(Edition("chug-icip-2025", "chug.csv", 5992, "856 contents × 7 bitrate-ladder rungs"),),
    expected_clips=5992,
    column_prefix="chug_",
    default_metadata=("chug.csv",),
    default_clips_dir="videos",
    downloads=True,
    download_hosts=("ugchdrmturk.s3.us-east-2.amazonaws.com",),
    notes=(
        "The dataset's README badge says CC BY-NC 4.0 while its license.txt holds the CC BY-NC-SA 4.0 "
        "text; vqa declares the stricter CC BY-NC-SA 4.0 until the authors reconcile them. "
        "Stored mos = 1 + 4·raw/100 (1–5) with the published 0–100 value in mos_raw_0_100."
    ),
    content_groups="content_name: the source video a bitrate-ladder rung was encoded from (7 rungs each)",
)
