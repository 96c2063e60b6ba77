"""The provenance sidecar written beside the report."""

from __future__ import annotations

from typing import Final

from vqa_core.provenance import build_manifest, describe_file, write_manifest
from vqa_core.runner.state import state_path_for
from vqa_core.timestamps import run_timestamp
from vqa_core.verify.config import VerifyConfig
from vqa_core.verify.report import VerifyReport

MANIFEST_SCHEMA: Final = "vqa-verify-manifest-v1"


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    found: dict[str, str | None] = {}
    for name in ("vqa-core", "av", "pyarrow"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _write_manifest(config: VerifyConfig, result: VerifyReport, workers: int) -> None:
    manifest = build_manifest(
        MANIFEST_SCHEMA,
        created_at_utc=run_timestamp(None),
        versions=_versions(),
        inputs={"shard": describe_file(config.shard)},
        outputs={
            "report": describe_file(result.report),
            "state": describe_file(state_path_for(result.report), hash_file=False),
        },
        root=config.root,
        counts=result.counts,
        stats={"clips": result.rows, "ok": result.ok},
        run={
            "checked": result.checked,
            "reused_from_state": result.reused,
            "files_walked": result.files_walked,
            "files_hashed": result.files_hashed,
            "elapsed_s": round(result.elapsed_s, 3),
        },
        config={"probe": config.probe, "workers": workers, "probe_timeout_s": config.probe_timeout_s},
    )
    write_manifest(result.manifest, manifest)
