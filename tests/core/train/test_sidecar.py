"""The model sidecar: what training writes reads back to the same bytes, and a broken one is
refused in one line naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from vqa_core.cli import main
from vqa_core.documents import document_bytes
from vqa_core.errors import UsageError
from vqa_core.train import TrainReport
from vqa_core.train.sidecar import ModelSidecar, read_sidecar


def test_the_written_sidecar_reads_back_to_the_same_bytes(smoke_model: TrainReport) -> None:
    sidecar = read_sidecar(smoke_model.model)
    assert isinstance(sidecar, ModelSidecar)
    assert sidecar.model.input.shape == ["N", len(sidecar.feature_order)] and sidecar.display_profile is None
    assert document_bytes(sidecar) == smoke_model.sidecar.read_bytes()


def _copy(smoke_model: TrainReport, tmp_path: Path, edit: dict[str, Any]) -> Path:
    model = tmp_path / "mos_head.onnx"
    shutil.copy(smoke_model.model, model)
    doc = orjson.loads(smoke_model.sidecar.read_bytes())
    for dotted, value in edit.items():
        *parents, leaf = dotted.split(".")
        target = doc
        for key in parents:
            target = target[key]
        if value is ...:
            del target[leaf]
        else:
            target[leaf] = value
    (tmp_path / "mos_head.manifest.json").write_bytes(orjson.dumps(doc))
    return model


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        ({"feature_order": ...}, r"\$\.feature_order: missing"),
        ({"feature_order": "adm2"}, r"\$\.feature_order: expected a list, got 'adm2'"),
        ({"model": [1]}, r"\$\.model: expected an object"),
        ({"model.sha256": ...}, r"\$\.model\.sha256: missing"),
        ({"display_profile": {"feature_values": {"x": "bright"}}}, r"\$\.display_profile\.schema: missing"),
        ({"created_at_utc": "soon"}, r"\$\.created_at_utc: expected an ISO 8601 time"),
    ],
)
def test_a_sidecar_that_does_not_match_is_refused_in_one_line(
    smoke_model: TrainReport, tmp_path: Path, edit: dict[str, Any], where: str
) -> None:
    model = _copy(smoke_model, tmp_path, edit)
    sidecar = tmp_path / "mos_head.manifest.json"
    with pytest.raises(UsageError, match=rf"^sidecar {sidecar} is not valid at {where}"):
        read_sidecar(model)
    table = smoke_model.model.parent / "smoke_table.parquet"
    result = CliRunner().invoke(
        main, ["predict", "--model", str(model), "--table", str(table), "-o", str(tmp_path / "p.jsonl")]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and str(sidecar) in result.output
    assert not (tmp_path / "p.jsonl").exists()


def test_the_earlier_refusals_keep_their_messages(smoke_model: TrainReport, tmp_path: Path) -> None:
    model = _copy(smoke_model, tmp_path, {"schema": "vqa-other-v1"})
    sidecar = tmp_path / "mos_head.manifest.json"
    with pytest.raises(UsageError, match=rf"^{sidecar} is not the sidecar of a vqa MOS head$"):
        read_sidecar(model)
    sidecar.write_bytes(b"[1]")
    with pytest.raises(UsageError, match="is not the sidecar of a vqa MOS head"):
        read_sidecar(model)
    sidecar.write_bytes(b"{oops")
    with pytest.raises(UsageError, match=rf"^sidecar {sidecar} is not valid JSON: "):
        read_sidecar(model)
    sidecar.unlink()
    with pytest.raises(
        UsageError, match=r"has no sidecar mos_head\.manifest\.json; it was not written by vqa"
    ):
        read_sidecar(model)
    with pytest.raises(UsageError, match=r"^model .*none\.onnx does not exist$"):
        read_sidecar(tmp_path / "none.onnx")
