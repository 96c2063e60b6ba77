"""Tables for the evaluation tests: real Parquet files with content groups, corpora and splits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vqa_core.train import FitSettings
from vqa_core.train.schemas import feature_names

FEATURES = feature_names("konvid-v1")
#: Small enough for seconds, large enough for a model to memorise a content's signature.
QUICK = FitSettings(epochs=60, batch_size=128, lr=1e-2, hidden=(32, 16))


def signature_table(
    path: Path,
    *,
    contents: int = 60,
    clips_per_content: int = 7,
    corpus: str = "chug",
    seed: int = 0,
    split: Callable[[int], str | None] | None = None,
    learnable: bool = False,
) -> Path:
    """Clips of one content share a random feature signature (plus a little noise).

    MOS is random per content, so nothing but the signature links features to
    MOS: a model can only recall a content it saw, never predict a new one —
    unless ``learnable``, where MOS follows the first feature.
    """
    rng = np.random.default_rng(seed)
    signature = rng.normal(0.0, 3.0, size=(contents, len(FEATURES)))
    mos_of = rng.uniform(1.2, 4.8, size=contents)
    if learnable:
        mos_of = 3.0 + 1.5 * np.tanh(signature[:, 0] / 3.0)
    content = np.repeat(np.arange(contents), clips_per_content)
    x = signature[content] + rng.normal(0.0, 0.1, size=(content.size, len(FEATURES)))
    columns: dict[str, pa.Array] = {name: pa.array(x[:, j]) for j, name in enumerate(FEATURES)}
    columns["mos"] = pa.array(mos_of[content])
    columns["corpus"] = pa.array([corpus] * content.size)
    columns["content_group"] = pa.array([f"{corpus}/c{c}" for c in content])
    columns["src"] = pa.array([f"c{c}_{i}.mp4" for i, c in enumerate(content)])
    columns["src_sha256"] = pa.array([f"{corpus}-{i:060d}" for i in range(content.size)])
    if split is not None:
        columns["split"] = pa.array([split(int(c)) for c in content], pa.string())
    pq.write_table(pa.table(columns), path)
    return path


@pytest.fixture
def leak_table(tmp_path: Path) -> Path:
    return signature_table(tmp_path / "leak.parquet")


@pytest.fixture
def make_table() -> Callable[..., Path]:
    """:func:`signature_table` for tests that need their own variant."""
    return signature_table


@pytest.fixture
def quick() -> FitSettings:
    return QUICK
