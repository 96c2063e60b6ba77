from __future__ import annotations

import pytest

from vqa_core.train import FitSettings, TrainConfig, TrainReport, train_mos_head

#: Small enough for seconds, large enough to pass the gate on the smoke table.
FAST = FitSettings(epochs=40, batch_size=256, lr=1e-2, hidden=(32, 16))


@pytest.fixture(scope="session")
def smoke_model(tmp_path_factory: pytest.TempPathFactory) -> TrainReport:
    out = tmp_path_factory.mktemp("smoke-model")
    return train_mos_head(
        TrainConfig(
            out=out,
            feature_schema="konvid-v1",
            smoke=True,
            folds=3,
            smoke_rows=300,
            fit=FAST,
            timestamp="2026-01-01T00:00:00Z",
        )
    )
