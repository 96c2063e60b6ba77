"""Folds that split a content inflate the metrics; the project's own folds are the grouped ones."""

from __future__ import annotations

from pathlib import Path

import orjson

from vqa_core.train import FitSettings, TrainConfig, train_mos_head


def _train(table: Path, out: Path, fit: FitSettings, *, ignore_groups: bool = False) -> dict[str, object]:
    report = train_mos_head(
        TrainConfig(
            out=out,
            feature_schema="konvid-v1",
            table=table,
            folds=5,
            fit=fit,
            ignore_groups=ignore_groups,
            timestamp="2026-01-01T00:00:00Z",
        )
    )
    return orjson.loads(report.sidecar.read_bytes())  # type: ignore[no-any-return]


def test_ungrouped_folds_report_a_higher_plcc_than_grouped_folds(
    leak_table: Path, tmp_path: Path, quick: FitSettings
) -> None:
    grouped = _train(leak_table, tmp_path / "grouped", quick)
    leaky = _train(leak_table, tmp_path / "leaky", quick, ignore_groups=True)
    plcc_grouped = grouped["metrics"]["pooled"]["plcc"]  # type: ignore[index]
    plcc_leaky = leaky["metrics"]["pooled"]["plcc"]  # type: ignore[index]
    # MOS is random per content: only recall of a seen content can correlate.
    assert plcc_leaky > 0.6
    assert plcc_grouped < 0.4
    assert plcc_leaky - plcc_grouped > 0.4
    assert grouped["training"]["grouped"] is True and grouped["training"]["leaky"] is False  # type: ignore[index]
    assert leaky["training"]["grouped"] is False and leaky["training"]["leaky"] is True  # type: ignore[index]
    assert leaky["training"]["rows_sharing_a_group"] == 420  # type: ignore[index]


def test_default_folds_are_the_grouped_ones(leak_table: Path, tmp_path: Path, quick: FitSettings) -> None:
    default = _train(leak_table, tmp_path / "default", quick)
    assert default["training"]["by"] == "content_group" and default["training"]["n_groups"] == 60  # type: ignore[index]
    # every fold's validation rows are whole contents: 60 groups of 7 over 5 folds → 12 groups each
    assert [f["n_val"] for f in default["metrics"]["folds"]] == [84] * 5  # type: ignore[index]


def test_a_table_without_groups_is_folded_by_rows_and_says_so(
    leak_table: Path, tmp_path: Path, quick: FitSettings
) -> None:
    import pyarrow.parquet as pq

    plain = tmp_path / "plain.parquet"
    pq.write_table(pq.read_table(leak_table).drop_columns(["content_group"]), plain)
    training = _train(plain, tmp_path / "plain", quick)["training"]
    assert training["grouped"] is False and training["by"] == "row (no content_group column)"  # type: ignore[index]
    assert "no content_group column" in training["warning"]  # type: ignore[index]
