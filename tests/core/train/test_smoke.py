from __future__ import annotations

from vqa_core.features import VQA_NR_V1
from vqa_core.train.smoke import smoke_table


def test_smoke_tables_repeat_and_look_like_real_features() -> None:
    first = smoke_table("vqa-nr-v1", rows=50, seed=4)
    assert first.equals(smoke_table("vqa-nr-v1", rows=50, seed=4))
    assert not first.equals(smoke_table("vqa-nr-v1", rows=50, seed=5))
    assert set(VQA_NR_V1) <= set(first.column_names)
    mos = first.column("mos").to_pylist()
    assert all(1.0 <= m <= 5.0 for m in mos) and max(mos) - min(mos) > 1.0
    sharpness = first.column("sharpness_mean").to_pylist()
    assert max(sharpness) > 100  # on the scale vqa features extract writes, not 0-1
