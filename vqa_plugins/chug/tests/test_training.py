"""Training, evaluating and predicting with the CHUG schemas: the plugin answers, core trains."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import vqa_chug
import vqa_konvid
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.errors import TrainingError, UsageError
from vqa_core.fsutil import sha256_file
from vqa_core.registry import Registry
from vqa_core.train import FitSettings, TrainConfig, train_mos_head
from vqa_core.train.smoke import smoke_table

TINY = FitSettings(epochs=15, batch_size=256, lr=1e-2, hidden=(16,))
PROFILE = {
    "display": {
        "peak_nits": 1000,
        "black_nits": 0.05,
        "panel_type": "OLED",
        "ambient_lux": 5,
        "bt2020_coverage": 0.7,
        "p3_coverage": 0.98,
        "local_dimming": False,
        "tone_mapping": "dynamic",
    }
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_plugins([("vqa-chug", vqa_chug)], strict=True)


def _sidecar(path: Path) -> dict[str, object]:
    return orjson.loads(path.read_bytes())  # type: ignore[no-any-return]


def _metadata_table(rows: int) -> pa.Table:
    """Features of the six libvmaf metrics (with ``_mean`` temporal stats) and CHUG's published columns."""
    rng = np.random.default_rng(5)
    columns: dict[str, object] = {"src": [f"videos/{i:032x}.mp4" for i in range(rows)]}
    for name in ("adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2"):
        columns[name] = rng.uniform(0, 1, rows)
        for stat in ("p10", "p90", "std"):
            columns[f"{name}_{stat}_mean"] = rng.uniform(0, 1, rows)
    columns.update(
        chug_bitrate_label=[("0.5M", "2M", "ref")[i % 3] for i in range(rows)],
        chug_orientation=[("Portrait", "Landscape")[i % 2] for i in range(rows)],
        chug_ref=[int(i % 3 == 2) for i in range(rows)],
        bitrate_kbps=rng.uniform(100, 3000, rows),
        width=[1080] * rows,
        height=[1920] * rows,
        feature_width=[3840] * rows,
        feature_height=[2160] * rows,
        duration_s=rng.uniform(5, 30, rows),
        n_feature_frames=[900] * rows,
        feature_bitdepth=[10] * rows,
        mos=rng.uniform(1.5, 4.5, rows),
        content_group=[f"chug/c{i // 3}" for i in range(rows)],
    )
    return pa.table(columns)


def test_display_schema_with_a_profile(tmp_path: Path, registry: Registry) -> None:
    table = smoke_table("chug-hdr-wide-v1", rows=40, seed=1, plugins=registry)
    pq.write_table(table, tmp_path / "t.parquet")
    profile = tmp_path / "tv.json"
    profile.write_bytes(orjson.dumps(PROFILE))
    report = train_mos_head(
        TrainConfig(
            out=tmp_path / "m",
            feature_schema="chug-hdr-display-v1",
            table=tmp_path / "t.parquet",
            folds=2,
            fit=TINY,
            display_profile=profile,
        ),
        plugins=registry,
    )
    sidecar = _sidecar(report.sidecar)
    assert len(sidecar["feature_order"]) == 45  # type: ignore[arg-type]
    assert sidecar["display_profile"]["feature_values"]["display_peak_luminance_nits_norm"] == 0.1  # type: ignore[index]
    assert sidecar["inputs"]["display_profile"]["sha256"] == sha256_file(profile)  # type: ignore[index]
    assert sidecar["feature_sources"]["display_panel_oled"] == {"display": 40}  # type: ignore[index]
    without = TrainConfig(
        out=tmp_path / "n",
        feature_schema="chug-hdr-display-v1",
        table=tmp_path / "t.parquet",
        folds=2,
        fit=TINY,
    )
    with pytest.raises(TrainingError, match="display_"):
        train_mos_head(without, plugins=registry)


def test_train_and_predict_derive_the_metadata_features_through_the_cli(tmp_path: Path) -> None:
    pq.write_table(_metadata_table(30), tmp_path / "t.parquet")
    profile = tmp_path / "tv.json"
    profile.write_bytes(orjson.dumps(PROFILE))
    runner = CliRunner()
    train = ["train", "mos-head", "--table", str(tmp_path / "t.parquet"), "--folds", "2", "--epochs", "5"]
    result = runner.invoke(
        main,
        [
            *train,
            "--feature-schema",
            "chug-hdr-wide-v1",
            "--display-profile",
            str(profile),
            "--out",
            str(tmp_path / "m"),
        ],
    )
    assert result.exit_code == 0, result.output
    sidecar = _sidecar(tmp_path / "m" / "mos_head.manifest.json")
    sources = sidecar["feature_sources"]
    assert sources["chug_bitrate_mbps"] == {"derived": 20}  # type: ignore[index]  # "ref" rows are refused
    assert sources["chug_ref"] == {"column": 30} and sources["duration_s_norm"] == {"derived": 30}  # type: ignore[index]
    assert sidecar["notes"] == ["display profile ignored: chug-hdr-wide-v1 has no display features"]
    assert sidecar["display_profile"] is None and "display_profile" not in sidecar["inputs"]  # type: ignore[operator]
    predictions = tmp_path / "p.jsonl"
    model = str(tmp_path / "m" / "mos_head.onnx")
    result = runner.invoke(
        main, ["predict", "--model", model, "--table", str(tmp_path / "t.parquet"), "-o", str(predictions)]
    )
    assert result.exit_code == 0, result.output
    status = [orjson.loads(line)["mos_pred_status"] for line in predictions.read_bytes().splitlines()]
    assert status.count("ok") == 20 and status.count("missing-feature") == 10


def test_without_the_plugin_the_schema_names_its_distribution(tmp_path: Path) -> None:
    konvid_only = Registry.from_plugins([("vqa-konvid", vqa_konvid)])
    config = TrainConfig(out=tmp_path / "m", feature_schema="chug-hdr-display-v1", smoke=True)
    with pytest.raises(UsageError) as caught:
        train_mos_head(config, plugins=konvid_only)
    assert str(caught.value) == (
        "feature schema 'chug-hdr-display-v1' is not installed; the vqa-chug plugin provides it: pip install vqa-chug"
    )
    assert not (tmp_path / "m").exists()


def test_a_disabled_plugin_is_named_by_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VQA_DISABLE_PLUGINS", "vqa-chug")
    args = ["evaluate", str(tmp_path / "t.parquet"), "--feature-schema", "chug-hdr-wide-v1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.output == (
        "error: feature schema 'chug-hdr-wide-v1': plugin vqa-chug is installed but disabled "
        "(skipped by VQA_DISABLE_PLUGINS/VQA_LOAD_PLUGINS)\n"
    )


def test_sidecar_names_the_plugin_version_beside_core(tmp_path: Path) -> None:
    # the plugin derives some of the model's inputs, so its version is part of the model
    installed = Registry.for_distributions(["vqa-chug"], strict=True)
    table = smoke_table("chug-hdr-wide-v1", rows=40, seed=1, plugins=installed)
    pq.write_table(table, tmp_path / "t.parquet")
    config = TrainConfig(
        out=tmp_path / "m", feature_schema="chug-hdr-wide-v1", table=tmp_path / "t.parquet", folds=2, fit=TINY
    )
    versions = _sidecar(train_mos_head(config, plugins=installed).sidecar)["versions"]
    assert versions["vqa-chug"] == importlib.metadata.version("vqa-chug")  # type: ignore[index]
    core = TrainConfig(out=tmp_path / "k", feature_schema="vqa-nr-v1", smoke=True, folds=2, fit=TINY)
    assert "vqa-chug" not in _sidecar(train_mos_head(core, plugins=installed).sidecar)["versions"]  # type: ignore[operator]
