"""What the KonViD plugin declares: KoNViD-1k and KonViD-150k."""

from __future__ import annotations

from typing import Final

from vqa_core.plugin import Archive, CorpusDeclaration, Edition

_SITE: Final = "https://database.mmsp-kn.de"
ARCHIVES: Final = "https://datasets.vqa.mmsp-kn.de/archives"

KONVID_1K: Final = CorpusDeclaration(
    id="konvid-1k",
    title="KoNViD-1k, the Konstanz natural video database",
    version="konvid-1k-2017",
    scale="1-5",
    licence="Research use",
    licence_url=f"{_SITE}/konvid-1k-database.html",
    citation=(
        "V. Hosu, F. Hahn, M. Jenadeleh, H. Lin, H. Men, T. Szirányi, S. Li, D. Saupe. "
        "The Konstanz natural video database (KoNViD-1k). QoMEX 2017."
    ),
    homepage=f"{_SITE}/konvid-1k-database.html",
    access="open",
    access_instructions=(
        f"download KoNViD_1k_videos.zip and KoNViD_1k_metadata.zip from {ARCHIVES}/ "
        "and unzip both into the dataset root (or run `vqa fetch konvid-1k --root DIR`)"
    ),
    editions=(
        Edition("konvid-1k-2017", "KoNViD_1k_attributes.csv", 1200, "published metadata archive"),
        Edition("konvid-1k-2017", "KoNViD_1k_mos.csv", 1200, "alternate MOS-only file"),
    ),
    expected_clips=1200,
    column_prefix="konvid_",
    default_metadata=(
        "KoNViD_1k_metadata/KoNViD_1k_attributes.csv",
        "KoNViD_1k_metadata/KoNViD_1k_mos.csv",
    ),
    default_clips_dir="KoNViD_1k_videos",
    downloads=False,
    download_hosts=("datasets.vqa.mmsp-kn.de",),
    archives=(Archive(f"{ARCHIVES}/KoNViD_1k_videos.zip"), Archive(f"{ARCHIVES}/KoNViD_1k_metadata.zip")),
    notes=(
        "Clips on disk are named <flickr_id>.mp4 while the attributes file's file_name column "
        "carries older names; rows are joined by flickr_id."
    ),
)

KONVID_150K: Final = CorpusDeclaration(
    id="konvid-150k",
    title="KonVid-150k, in-the-wild videos with crowdsourced MOS",
    version="konvid-150k-2019",
    scale="1-5",
    licence="Research use",
    licence_url=f"{_SITE}/konvid-150k-vqa-database.html",
    citation=(
        "F. Götz-Hahn, V. Hosu, H. Lin, D. Saupe. KonVid-150k: A Dataset for No-Reference "
        "Video Quality Assessment of Videos in-the-Wild. IEEE Access 9, 2021."
    ),
    homepage=f"{_SITE}/konvid-150k-vqa-database.html",
    access="open",
    access_instructions=(
        f"download k150ka.zip, k150ka_scores.csv, k150kb.zip and k150kb_scores.csv from {ARCHIVES}/; "
        "unzip k150ka.zip into k150ka_extracted/ and k150kb.zip into k150kb_extracted/ under the dataset root "
        "(or run `vqa fetch konvid-150k --root DIR`; part A is about 176 GB)"
    ),
    editions=(
        Edition(
            "konvid-150k-a",
            "k150ka_scores.csv",
            153169,
            "154,745 labels reported for A and B together, less part B's 1,576; not checked on a copy",
        ),
        Edition("konvid-150k-b", "k150kb_scores.csv", 1576, "counted on a published copy"),
    ),
    expected_clips=152265,
    column_prefix="konvid_",
    default_metadata=("k150ka_scores.csv", "k150kb_scores.csv"),
    default_clips_dir="",
    downloads=False,
    download_hosts=("datasets.vqa.mmsp-kn.de",),
    archives=(
        Archive(f"{ARCHIVES}/k150ka_scores.csv"),
        Archive(f"{ARCHIVES}/k150kb_scores.csv"),
        Archive(f"{ARCHIVES}/k150kb.zip", extract_to="k150kb_extracted"),
        Archive(f"{ARCHIVES}/k150ka.zip", extract_to="k150ka_extracted"),
    ),
    notes=(
        "Part A publishes one score per clip (video_score); part B publishes two estimates, mos and "
        "video_score, that agree on only about 7% of rows. The stored mos is video_score for both parts, "
        "so the whole corpus carries one estimator; part B's mos column is kept as konvid_vote_mean."
    ),
)

DECLARATIONS: Final = (KONVID_1K, KONVID_150K)
