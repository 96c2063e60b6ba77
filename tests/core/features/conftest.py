from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def konvid_drop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(dataset root, shard)``: the KoNViD-1k sample drop through the real ingest engine."""
    import vqa_konvid

    from vqa_core.ingest import IngestConfig, ingest
    from vqa_core.registry import Registry
    from vqa_core.sample import write_sample

    base = tmp_path_factory.mktemp("konvid-features")
    registry = Registry.from_plugins([("konvid", vqa_konvid)])
    drop = write_sample(registry, "konvid-1k", base / "drop", clips=5, seed=11)
    shard = base / "konvid-1k.jsonl"
    ingest(
        registry,
        IngestConfig(
            corpus_id="konvid-1k", root=drop.root, output=shard, workers=2, timestamp="2026-01-01T00:00:00Z"
        ),
    )
    return drop.root, shard
