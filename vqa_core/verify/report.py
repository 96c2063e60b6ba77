"""The report: one JSON line per shard row, rendered from the state in shard order.

:class:`VerifyReport` is what a run returns; :func:`write_json_document` turns the
report file into the one JSON document ``--json`` prints.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, Final

import attrs
import orjson

from vqa_core.errors import StateError, VerificationError
from vqa_core.fsutil import atomic_writer
from vqa_core.runner.state import StateStore
from vqa_core.verify.statuses import OK, STATUSES

log = logging.getLogger("vqa.verify")

#: Non-ok clips printed as warnings per status before the rest go only to the report.
LOG_PER_STATUS: Final = 20


@attrs.frozen
class VerifyReport:
    shard: Path
    root: Path
    report: Path
    manifest: Path
    rows: int
    #: Clips per status; every status of :data:`STATUSES` is present.
    counts: dict[str, int]
    #: Rows whose outcome an interrupted run had already decided.
    reused: int
    checked: int
    files_walked: int
    files_hashed: int
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return self.counts[OK] == self.rows

    def summary(self) -> str:
        parts = ", ".join(f"{self.counts[s]:,} {s}" for s in STATUSES if self.counts[s]) or "no clips"
        return f"verify: {self.rows:,} clips: {parts} ({self.elapsed_s:.1f} s) -> {self.report}"

    def failure(self) -> VerificationError | None:
        """The error a caller raises to say "not every clip is ok" (exit 3), or ``None``."""
        if self.ok:
            return None
        bad = ", ".join(f"{self.counts[s]:,} {s}" for s in STATUSES if s != OK and self.counts[s])
        return VerificationError(
            f"{self.rows - self.counts[OK]:,} of {self.rows:,} clips are not as {self.shard} describes "
            f"({bad}); see {self.report}",
            counts=dict(self.counts),
        )


def _line(src: object, status: str, detail: str | None, found_at: str | None = None) -> bytes:
    return orjson.dumps(
        {
            "src": src if isinstance(src, str) else None,
            "status": status,
            "detail": detail,
            "found_at": found_at,
        },
        option=orjson.OPT_SORT_KEYS,
    )


def _render(state: StateStore, report: Path, rows: int) -> dict[str, int]:
    """Write the report from the state in shard order; warn about the first non-ok clips per status."""
    counts: Counter[str] = Counter()
    with atomic_writer(report) as fh:
        chunk: list[bytes] = []
        for outcome in state.outcomes(below_idx=rows):
            if outcome.status not in STATUSES or outcome.row is None:
                raise StateError(f"row {outcome.idx + 1} is still undecided in {state.path}; rerun")
            counts[outcome.status] += 1
            if outcome.status != OK and counts[outcome.status] <= LOG_PER_STATUS:
                log.warning("%s: %s: %s", outcome.origin, outcome.status, outcome.detail)
            elif outcome.status != OK and counts[outcome.status] == LOG_PER_STATUS + 1:
                log.warning("further %s clips are listed in %s", outcome.status, report)
            chunk.append(outcome.row + b"\n")
            if len(chunk) >= 1024:
                fh.write(b"".join(chunk))
                chunk = []
        fh.write(b"".join(chunk))
    if sum(counts.values()) != rows:
        raise StateError(f"{state.path} holds {sum(counts.values())} of {rows} rows; rerun with --restart")
    return {status: counts[status] for status in STATUSES}


def write_json_document(result: VerifyReport, out: IO[str], head: Mapping[str, Any] | None = None) -> None:
    """``{**head, "clips": [{"src", "status"}, …]}`` on ``out``, the clips streamed from the
    report file (one clip in memory at a time). ``head`` holds JSON values (default: the
    shard, root, report and counts)."""
    if head is None:
        head = {
            "shard": str(result.shard),
            "root": str(result.root),
            "report": str(result.report),
            "counts": result.counts,
        }
    out.write("{\n")
    for key, value in sorted(head.items()):
        out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)},\n")
    out.write('  "clips": [')
    first = True
    with open(result.report, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            entry = orjson.loads(line)
            clip = json.dumps({"src": entry["src"], "status": entry["status"]}, ensure_ascii=False)
            out.write(("\n    " if first else ",\n    ") + clip)
            first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")
