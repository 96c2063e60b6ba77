"""``vqa merge-grid``: combine encode-grid JSONL files into one, without duplicates.

Two passes over the inputs, so nothing is written until every input is valid
and memory holds only one key per row:

1. **Validate**: every non-blank line is a JSON object carrying the 54 keys of
   :data:`~vqa_core.gridrows.GRID_KEYS` (more are allowed), with a string
   ``src_sha256`` and ``encoder`` and a scalar ``preset`` and ``crf``. All
   problems are collected and reported at once, each as ``file:line``.
2. **Deduplicate** by ``(src_sha256, encoder, preset, crf)``, ``preset`` and ``crf``
   compared by value (``23``, ``23.0`` and ``"23"`` are one CRF). The first row of
   a key wins (inputs in the order given, lines in file order). A later row of
   the same key whose scores differ (``vmaf_score`` or a pooled feature, beyond
   1e-6) is a **conflict**: by default an error listing the conflicts (nothing is
   written); with ``on_conflict="keep-first"`` the first row is kept and every
   conflict is listed in the manifest.
3. **Write** the kept rows (keys sorted) atomically, then the manifest.

Progress (input files done, per pass) goes to an optional
:class:`~vqa_core.runner.progress.ProgressSink`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, Literal

import attrs
import orjson

from vqa_core.errors import ShardError, UsageError
from vqa_core.gridrows import CANONICAL_FEATURES, GRID_KEYS
from vqa_core.runner.progress import Phase, ProgressSink

__all__ = [
    "MANIFEST_SCHEMA",
    "DEDUP_KEY",
    "SCORE_KEYS",
    "OnConflict",
    "Conflict",
    "MergeResult",
    "normalise_setting",
    "merge_grid",
]

MANIFEST_SCHEMA: Final = "vqa-merge-grid-manifest-v1"
DEDUP_KEY: Final = ("src_sha256", "encoder", "preset", "crf")
#: The values two rows of one key must agree on (within :data:`SCORE_TOLERANCE`).
SCORE_KEYS: Final = (
    "vmaf_score",
    *(f"{f}_mean" for f in CANONICAL_FEATURES),
    *(f"{f}_std" for f in CANONICAL_FEATURES),
)
SCORE_TOLERANCE: Final = 1e-6
#: Problems listed in the error message before "and N more".
_SHOWN: Final = 5

OnConflict = Literal["error", "keep-first"]


@attrs.frozen
class Conflict:
    """Two rows of one key whose scores differ."""

    key: tuple[str, str, str | int | float, str | int | float]
    first: str
    second: str
    differences: tuple[str, ...]

    def __str__(self) -> str:
        sha, encoder, preset, crf = self.key
        return (
            f"{self.second} repeats {self.first} (src_sha256 {sha[:12]}…, {encoder}, preset {preset}, "
            f"crf {crf}) with different scores: {', '.join(self.differences)}"
        )


@attrs.frozen
class MergeResult:
    output: Path
    manifest: Path
    rows_in: int
    rows_out: int
    duplicates: int
    conflicts: tuple[Conflict, ...]
    unique_sources: int
    #: Per input, in the order given: path, rows, rows kept, duplicates.
    inputs: tuple[dict[str, Any], ...]


def normalise_setting(value: object) -> str | int | float:
    """A preset or CRF as a comparable value: numbers and numeric strings become numbers
    (integral ones ``int``), other strings are stripped; ``23 == "23" == 23.0``."""
    if isinstance(value, bool) or value is None or not isinstance(value, str | int | float):
        raise TypeError(f"expected a string or number, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return text
        if not math.isfinite(number):
            return text
        value = number
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _score_differences(first: dict[str, Any], second: dict[str, Any]) -> tuple[str, ...]:
    out = []
    for key in SCORE_KEYS:
        a, b = first.get(key), second.get(key)
        if a is None and b is None:
            continue
        if (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and not isinstance(a, bool)
            and not isinstance(b, bool)
            and abs(a - b) <= SCORE_TOLERANCE
        ):
            continue
        out.append(f"{key} {a!r} vs {b!r}")
    return tuple(out)


def _row_problems(row: object) -> str | None:
    if not isinstance(row, dict):
        return f"expected a JSON object, got {type(row).__name__}"
    missing = [key for key in GRID_KEYS if key not in row]
    if missing:
        shown = ", ".join(missing[:6]) + (f" (and {len(missing) - 6} more)" if len(missing) > 6 else "")
        return f"missing {len(missing)} of the {len(GRID_KEYS)} encode-grid keys: {shown}"
    for key in ("src_sha256", "encoder"):
        if not isinstance(row[key], str) or not row[key]:
            return f"{key} must be a non-empty string, got {row[key]!r}"
    for key in ("preset", "crf"):
        try:
            normalise_setting(row[key])
        except TypeError as exc:
            return f"{key}: {exc}"
    return None


def _check_paths(inputs: Sequence[Path], output: Path, manifest: Path) -> None:
    from vqa_core.errors import OutputError

    if len(inputs) < 2:
        raise UsageError(f"merge-grid needs at least two inputs, got {len(inputs)}")
    if output.suffix.lower() != ".jsonl":
        raise OutputError(f"{output}: merge-grid writes .jsonl, not {output.suffix or 'no suffix'}")
    seen: set[Path] = set()
    for path in inputs:
        real = path.resolve()
        if real in seen:
            raise UsageError(f"input {path} is given twice")
        seen.add(real)
    missing = [str(p) for p in inputs if not p.is_file()]
    if missing:
        raise ShardError(
            f"input{'s' if len(missing) > 1 else ''} not found: {', '.join(missing)}", path=missing[0]
        )
    for target, what in ((output, "output"), (manifest, "manifest")):
        if target.resolve() in seen:
            raise UsageError(f"the {what} {target} would overwrite an input")
    from vqa_core.fsutil import manifest_path_for

    for path in inputs:
        if manifest.resolve() == manifest_path_for(path.resolve()):
            raise UsageError(
                f"the manifest {manifest} would overwrite the manifest of input {path}; "
                "choose another output name or --manifest-out"
            )


def merge_grid(
    inputs: Sequence[Path],
    output: Path,
    *,
    on_conflict: OnConflict = "error",
    manifest_out: Path | None = None,
    timestamp: str | None = None,
    versions: dict[str, str | None] | None = None,
    progress: ProgressSink | None = None,
) -> MergeResult:
    """Merge encode-grid files into ``output``; see the module docstring for the rules."""
    from vqa_core.runner.lock import output_lock
    from vqa_core.timestamps import run_timestamp

    manifest = _check_arguments(inputs, output, manifest_out, on_conflict)
    stamp = run_timestamp(timestamp)

    # one writer per output: a second merge (or any other command) into the same file is refused
    with output_lock(output, manifest):
        # Pass 1: validate everything and decide which lines are kept.
        with Phase(progress, len(inputs), "merge-grid: check inputs", "files") as phase:
            scan = _scan_inputs(inputs, phase)
        _refuse_problems_and_conflicts(scan.problems, scan.conflicts, on_conflict)

        # Pass 2: write the kept lines, keys sorted, after checking the inputs did not change.
        with Phase(progress, len(inputs), "merge-grid: write", "files") as phase:
            sources = _write_kept_rows(inputs, output, scan.keep, scan.digests, phase)
        rows_out = sum(len(k) for k in scan.keep)
        for entry, digest_hex in zip(scan.per_input, scan.digests, strict=True):
            entry["sha256"] = digest_hex
            entry["size_bytes"] = Path(entry["path"]).stat().st_size
        result = MergeResult(
            output=output,
            manifest=manifest,
            rows_in=scan.rows_in,
            rows_out=rows_out,
            duplicates=scan.rows_in - rows_out,
            conflicts=tuple(scan.conflicts),
            unique_sources=len(sources),
            inputs=tuple(scan.per_input),
        )
        _write_merge_manifest(result, on_conflict=on_conflict, stamp=stamp, versions=versions)
        return result


def _check_arguments(
    inputs: Sequence[Path], output: Path, manifest_out: Path | None, on_conflict: str
) -> Path:
    """The manifest path, once the conflict policy and every path are known to be usable."""
    from vqa_core.fsutil import manifest_path_for

    if on_conflict not in ("error", "keep-first"):
        raise UsageError(f"--on-conflict must be error or keep-first, not {on_conflict!r}")
    manifest = manifest_out or manifest_path_for(output)
    _check_paths(inputs, output, manifest)
    return manifest


@attrs.frozen
class _Scan:
    """What pass 1 found: problems, conflicts, and per input (in the order given) the kept line
    numbers, the SHA-256 of its bytes and its manifest entry."""

    problems: list[str]
    conflicts: list[Conflict]
    keep: list[set[int]]
    per_input: list[dict[str, Any]]
    digests: list[str]
    rows_in: int


def _scan_inputs(inputs: Sequence[Path], phase: Phase) -> _Scan:
    """Pass 1: validate every row of every input and decide which lines are kept."""
    problems: list[str] = []
    first_of: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}
    conflicts: list[Conflict] = []
    keep: list[set[int]] = []
    per_input: list[dict[str, Any]] = []
    digests: list[str] = []
    rows_in = 0
    for path in inputs:
        kept_lines, digest_hex, rows, duplicates = _scan_input(path, first_of, problems, conflicts)
        rows_in += rows
        keep.append(kept_lines)
        digests.append(digest_hex)
        per_input.append(
            {"path": str(path), "rows": rows, "rows_kept": len(kept_lines), "duplicates": duplicates}
        )
        phase.add()
    return _Scan(problems, conflicts, keep, per_input, digests, rows_in)


def _scan_input(
    path: Path,
    first_of: dict[tuple[Any, ...], tuple[str, dict[str, Any]]],
    problems: list[str],
    conflicts: list[Conflict],
) -> tuple[set[int], str, int, int]:
    """One input of pass 1: its kept line numbers, SHA-256, rows and duplicates.

    ``first_of`` (the first place and scores of each key), ``problems`` and ``conflicts``
    are shared by all inputs and extended here."""
    kept_lines: set[int] = set()
    digest = hashlib.sha256()
    rows = duplicates = 0
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            digest.update(line)
            if not line.strip():
                continue
            rows += 1
            where = f"{path}:{number}"
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                problems.append(f"{where}: invalid JSON ({exc})")
                continue
            problem = _row_problems(row)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            key = (
                row["src_sha256"],
                row["encoder"],
                normalise_setting(row["preset"]),
                normalise_setting(row["crf"]),
            )
            if key in first_of:
                duplicates += 1
                first_where, first_scores = first_of[key]
                scores = {k: row.get(k) for k in SCORE_KEYS}
                differences = _score_differences(first_scores, scores)
                if differences:
                    conflicts.append(Conflict(key, first_where, where, differences))
                continue
            first_of[key] = (where, {k: row.get(k) for k in SCORE_KEYS})
            kept_lines.add(number)
    return kept_lines, digest.hexdigest(), rows, duplicates


def _refuse_problems_and_conflicts(
    problems: Sequence[str], conflicts: Sequence[Conflict], on_conflict: str
) -> None:
    """Raise if any row is invalid, or if rows conflict and the policy is ``error``."""
    if problems:
        more = f" (and {len(problems) - _SHOWN} more problems)" if len(problems) > _SHOWN else ""
        raise ShardError("; ".join(problems[:_SHOWN]) + more, path=problems[0].split(":", 1)[0])
    if conflicts and on_conflict == "error":
        more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
        raise ShardError(
            f"{len(conflicts)} conflicting duplicate{'s' if len(conflicts) > 1 else ''}: "
            f"{conflicts[0]}{more}; "
            "fix the inputs or pass --on-conflict keep-first to keep the first row of each key"
        )


def _write_kept_rows(
    inputs: Sequence[Path], output: Path, keep: Sequence[set[int]], digests: Sequence[str], phase: Phase
) -> set[str]:
    """Pass 2: write the kept lines (keys sorted) atomically, refusing an input whose bytes
    changed since pass 1; the ``src_sha256`` values written."""
    from vqa_core.fsutil import atomic_writer

    sources: set[str] = set()
    with atomic_writer(output) as out:
        for index, path in enumerate(inputs):
            digest = hashlib.sha256()
            buffer = bytearray()
            with open(path, "rb") as fh:
                for number, line in enumerate(fh, start=1):
                    digest.update(line)
                    if number in keep[index]:
                        row = orjson.loads(line)
                        sources.add(row["src_sha256"])
                        buffer += orjson.dumps(row, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
                        if len(buffer) > 1 << 20:
                            out.write(buffer)
                            buffer = bytearray()
            out.write(buffer)
            if digest.hexdigest() != digests[index]:
                raise ShardError(
                    f"{path} changed while it was being merged; run merge-grid again", path=str(path)
                )
            phase.add()
    return sources


def _write_merge_manifest(
    result: MergeResult, *, on_conflict: str, stamp: str, versions: dict[str, str | None] | None
) -> None:
    from vqa_core import __version__
    from vqa_core.provenance import build_manifest, describe_file, write_manifest

    body = build_manifest(
        MANIFEST_SCHEMA,
        created_at_utc=stamp,
        versions=versions or {"vqa-core": __version__},
        inputs={"grids": list(result.inputs)},
        outputs={"grid": {**describe_file(result.output), "rows": result.rows_out}},
        required_keys=list(GRID_KEYS),
        dedup_key=list(DEDUP_KEY),
        config={
            "on_conflict": on_conflict,
            "score_tolerance": SCORE_TOLERANCE,
            "score_keys": list(SCORE_KEYS),
        },
        stats={
            "rows_in": result.rows_in,
            "rows_out": result.rows_out,
            "duplicates": result.duplicates,
            "conflicts": len(result.conflicts),
            "unique_sources": result.unique_sources,
        },
        conflicts=[
            {"first": c.first, "second": c.second, "key": list(c.key), "differences": list(c.differences)}
            for c in result.conflicts
        ],
    )
    write_manifest(result.manifest, body)
