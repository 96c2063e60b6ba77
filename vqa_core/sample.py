"""Writing a corpus's sample drop through its plugin, with the contract checked."""

from __future__ import annotations

from pathlib import Path

from vqa_core.errors import PluginError
from vqa_core.registry import Registry
from vqa_core.sources import SampleDrop

__all__ = ["write_sample"]


def write_sample(
    registry: Registry, corpus_id: str, directory: Path, *, clips: int = 6, seed: int = 0, bad_rows: int = 0
) -> SampleDrop:
    """Ask the owning plugin for a sample drop in ``directory`` (created if missing, must be empty)."""
    directory.mkdir(parents=True, exist_ok=True)
    drop = registry.write_sample(corpus_id, directory, clips, seed, bad_rows)
    if not isinstance(drop, SampleDrop):
        raise PluginError(f"vqa_write_sample for {corpus_id} returned {type(drop).__name__}, not SampleDrop")
    for path in drop.metadata:
        if not Path(path).is_file():
            raise PluginError(f"sample drop of {corpus_id} names metadata {path} that was not written")
    return drop
