"""What the LSVQ plugin declares."""

from __future__ import annotations

from typing import Final

from vqa_core.plugin import CorpusDeclaration, Edition

LSVQ: Final = CorpusDeclaration(
    id="lsvq",
    title="LSVQ, the LIVE large-scale social video quality database",
    version="lsvq-2021",
    # The published label files carry mos on 0–100 (observed 8.5–91.4), not 1–5.
    scale="0-100",
    # The README's notice grants use for any purpose, provided the notice travels with every copy
    # and LIVE at UT Austin is acknowledged in publications.
    licence="Free use; UT Austin notice kept",
    licence_url="https://github.com/baidut/PatchVQ",
    citation=(
        "Z. Ying, M. Mandal, D. Ghadiyaram, A. C. Bovik. Patch-VQ: 'Patching Up' the Video Quality "
        "Problem. CVPR 2021 (arXiv:2011.13544); and: LIVE Large-Scale Social Video Quality (LSVQ) "
        "Database, https://github.com/baidut/PatchVQ, 2020."
    ),
    homepage="https://github.com/baidut/PatchVQ",
    access="form",
    access_instructions=(
        "request access through the form linked from https://github.com/baidut/PatchVQ, download the "
        "video batches and labels_train_test.csv / labels_test_1080p.csv, and extract the batch folders "
        "(yfcc-batch1/, ia-batch1/, …) into the dataset root"
    ),
    editions=(
        Edition(
            "lsvq-2021", "labels_train_test.csv", 35499, "first upload (PatchVQ issue 6); since re-uploaded"
        ),
        Edition("lsvq-2021", "labels_test_1080p.csv", 3573, "first upload (PatchVQ issue 6)"),
        Edition(
            "lsvq-2021-whole-test",
            "LSVQ_whole_test.csv",
            7220,
            "the test rows of labels_train_test.csv (38 columns) as redistributed with VQA code bases; "
            "counted on a copy",
        ),
        Edition(
            "lsvq-2021-whole-test-1080p",
            "LSVQ_whole_test_1080p.csv",
            3561,
            "labels_test_1080p.csv (37 columns) as redistributed with VQA code bases; counted on a copy",
        ),
    ),
    expected_clips=38811,
    column_prefix="lsvq_",
    default_metadata=("labels_train_test.csv", "labels_test_1080p.csv"),
    default_clips_dir="",
    downloads=False,
    notes=(
        "Clip names carry their batch folder and no extension (yfcc-batch1/747 is yfcc-batch1/747.mp4); "
        "equal basenames in different batches are different clips. Every row keeps its split in lsvq_split: "
        "train or test from is_test in labels_train_test.csv, test-1080p for labels_test_1080p.csv; "
        "the same value is in the core split column."
    ),
    splits=("train", "test", "test-1080p"),
)
