"""``vqa report``: what a unified table holds, per corpus, as a table and a plot.

:func:`summarise` reads a unified table (JSONL or Parquet, columnar) and returns
per-corpus figures on the 0–100 axis: rows, MOS mean / standard deviation
(sample, n − 1) / min / max, the share of rows with a published spread
(``mos_std_dev > 0``), and the most common resolutions, frame rates and codecs.
:func:`write_report` renders them as a self-contained HTML page (PNG histograms
embedded as base64) or as one PNG; matplotlib (the ``plots`` extra) is imported
only there, with the Agg canvas and no global pyplot state.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from vqa_core.errors import OutputError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "MANIFEST_SCHEMA",
    "REPORT_SUFFIXES",
    "CorpusSummary",
    "Summary",
    "HEADINGS",
    "summarise",
    "table_rows",
    "report_format",
    "require_plots",
    "write_report",
]

MANIFEST_SCHEMA: Final = "vqa-report-manifest-v1"
REPORT_SUFFIXES: Final = (".html", ".png")
#: Values listed per category column (resolutions, frame rates, codecs).
TOP: Final = 3
#: Histogram bins on the unified axis.
BINS: Final = 20
_COLUMNS: Final = ("corpus_source", "mos", "mos_std_dev", "width", "height", "framerate", "encoder_upstream")


@attrs.frozen
class CorpusSummary:
    corpus: str
    rows: int
    mos_mean: float | None
    mos_sd: float | None
    mos_min: float | None
    mos_max: float | None
    #: Share of rows whose spread was published (``mos_std_dev > 0``), 0–1.
    std_coverage: float
    resolutions: tuple[tuple[str, int], ...]
    frame_rates: tuple[tuple[str, int], ...]
    codecs: tuple[tuple[str, int], ...]
    distinct_resolutions: int = 0
    distinct_frame_rates: int = 0
    distinct_codecs: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        for key in ("resolutions", "frame_rates", "codecs"):
            data[key] = [{"value": v, "rows": n} for v, n in data[key]]
        return data


@attrs.frozen
class Summary:
    source: Path
    sha256: str
    corpora: tuple[CorpusSummary, ...]
    total: CorpusSummary
    #: MOS values per corpus, for the histograms.
    values: dict[str, np.ndarray] = attrs.field(repr=False, eq=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "sha256": self.sha256,
            "corpora": [c.as_dict() for c in self.corpora],
            "total": self.total.as_dict(),
        }


def _schema() -> Any:
    import pyarrow as pa

    from vqa_core.schema import unified_arrow_schema

    full = unified_arrow_schema()
    return pa.schema([full.field(name).with_nullable(True) for name in _COLUMNS])


def _top(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP])


def _fps(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _summarise_rows(name: str, table: Any) -> CorpusSummary:
    import numpy as np
    import pyarrow.compute as pc

    mos = np.asarray(pc.drop_null(table.column("mos")).to_numpy(zero_copy_only=False), dtype=float)
    mos = mos[np.isfinite(mos)]
    spread = np.asarray(
        pc.fill_null(table.column("mos_std_dev"), 0.0).to_numpy(zero_copy_only=False), dtype=float
    )
    resolutions: dict[str, int] = {}
    frame_rates: dict[str, int] = {}
    codecs: dict[str, int] = {}
    for row in table.group_by(["width", "height"]).aggregate([([], "count_all")]).to_pylist():
        key = f"{row['width']}x{row['height']}"
        resolutions[key] = resolutions.get(key, 0) + row["count_all"]
    for row in table.group_by(["framerate"]).aggregate([([], "count_all")]).to_pylist():
        key = _fps(row["framerate"]) if row["framerate"] is not None else "?"
        frame_rates[key] = frame_rates.get(key, 0) + row["count_all"]
    for row in table.group_by(["encoder_upstream"]).aggregate([([], "count_all")]).to_pylist():
        key = row["encoder_upstream"] or "?"
        codecs[key] = codecs.get(key, 0) + row["count_all"]
    rows = table.num_rows
    return CorpusSummary(
        corpus=name,
        rows=rows,
        mos_mean=float(mos.mean()) if mos.size else None,
        mos_sd=float(mos.std(ddof=1)) if mos.size > 1 else None,
        mos_min=float(mos.min()) if mos.size else None,
        mos_max=float(mos.max()) if mos.size else None,
        std_coverage=float((spread > 0).sum() / rows) if rows else 0.0,
        resolutions=_top(resolutions),
        frame_rates=_top(frame_rates),
        codecs=_top(codecs),
        distinct_resolutions=len(resolutions),
        distinct_frame_rates=len(frame_rates),
        distinct_codecs=len(codecs),
    )


def summarise(path: Path) -> Summary:
    """Per-corpus figures of the unified table at ``path``."""
    import numpy as np
    import pyarrow.compute as pc

    from vqa_core.errors import ShardError
    from vqa_core.tables.shards import read_shard

    data = read_shard(path, _schema())
    table = data.table
    if table.num_rows and "corpus_source" not in data.present:
        raise ShardError(f"{path}: not a unified table (no corpus_source column)", path=str(path))
    missing = sorted(set(_COLUMNS) - data.present) if table.num_rows else []
    if missing:
        raise ShardError(
            f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", path=str(path)
        )
    names = sorted(n for n in pc.unique(table.column("corpus_source")).to_pylist() if n is not None)
    corpora = []
    values = {}
    for name in names:
        rows = table.filter(pc.equal(table.column("corpus_source"), name))
        corpora.append(_summarise_rows(name, rows))
        mos = np.asarray(pc.drop_null(rows.column("mos")).to_numpy(zero_copy_only=False), dtype=float)
        values[name] = mos[np.isfinite(mos)]
    return Summary(path, data.sha256, tuple(corpora), _summarise_rows("all", table), values)


def report_format(path: Path) -> str:
    """``html`` or ``png`` from the suffix; :class:`OutputError` for anything else."""
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise OutputError(f"{path}: unsupported report suffix {path.suffix!r}; use .html or .png")
    return suffix[1:]


def require_plots() -> None:
    """Refuse a report file without matplotlib, in one line naming the ``plots`` extra."""
    from vqa_core.extras import require

    require("matplotlib", "vqa report -o", "plots")


def _figure(summary: Summary, names: list[str], columns: int) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = max(1, -(-len(names) // columns))
    figure = Figure(figsize=(4.2 * columns, 2.8 * rows), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, names, strict=False):
        values = summary.values.get(name)
        if values is None:
            values = _all_values(summary)
        ax.hist(values, bins=BINS, range=(0.0, 100.0), color="#3b6ea5", edgecolor="white")
        ax.set_xlim(0, 100)
        ax.set_title(f"{name} (n={len(values):,})", fontsize=10)
        ax.set_xlabel("MOS (0–100)")
        ax.set_ylabel("clips")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _all_values(summary: Summary) -> np.ndarray:
    import numpy as np

    parts = list(summary.values.values())
    return np.concatenate(parts) if parts else np.zeros(0)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _cells(c: CorpusSummary) -> list[str]:
    def listing(items: tuple[tuple[str, int], ...], distinct: int) -> str:
        text = ", ".join(f"{v} ({n:,})" for v, n in items)
        return text + (f" +{distinct - len(items)} more" if distinct > len(items) else "")

    return [
        c.corpus,
        f"{c.rows:,}",
        _fmt(c.mos_mean),
        _fmt(c.mos_sd),
        _fmt(c.mos_min),
        _fmt(c.mos_max),
        f"{100 * c.std_coverage:.0f}%",
        listing(c.resolutions, c.distinct_resolutions),
        listing(c.frame_rates, c.distinct_frame_rates),
        listing(c.codecs, c.distinct_codecs),
    ]


#: Column headings of the summary table (terminal and HTML).
HEADINGS: Final = (
    "corpus",
    "rows",
    "MOS mean",
    "MOS sd",
    "MOS min",
    "MOS max",
    "std-dev published",
    "resolutions",
    "frame rates",
    "codecs",
)


def table_rows(summary: Summary) -> list[list[str]]:
    """The summary as text cells, one list per corpus, then the ``all`` row."""
    return [_cells(c) for c in summary.corpora] + [_cells(summary.total)]


def _html(summary: Summary, stamp: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADINGS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in table_rows(summary)
    )
    figures = []
    for corpus in summary.corpora:
        png = base64.b64encode(_figure(summary, [corpus.corpus], 1)).decode("ascii")
        figures.append(
            f'<figure><img alt="MOS histogram of {html.escape(corpus.corpus)}" '
            f'src="data:image/png;base64,{png}"><figcaption>{html.escape(corpus.corpus)}</figcaption></figure>'
        )
    title = f"vqa report: {summary.source.name}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;font-size:0.9em}"
        "th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left}"
        "th{background:#eef2f7}tr:last-child td{font-weight:bold}"
        "figure{display:inline-block;margin:0.5em}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f"<p>Unified table <code>{html.escape(str(summary.source))}</code> "
        f"(sha256 <code>{summary.sha256}</code>), {summary.total.rows:,} rows, "
        f"{len(summary.corpora)} corpora; MOS on the unified 0–100 axis. "
        f"Generated {html.escape(stamp)}.</p>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"
        "<h2>MOS distribution per corpus</h2>\n" + "\n".join(figures) + "\n</body></html>\n"
    )


def write_report(
    summary: Summary,
    output: Path,
    *,
    timestamp: str | None = None,
    versions: dict[str, str | None] | None = None,
) -> Path:
    """Write the HTML or PNG report and its manifest; returns the manifest path."""
    from vqa_core.fsutil import manifest_path_for
    from vqa_core.runner.lock import output_lock

    fmt = report_format(output)
    require_plots()
    manifest = manifest_path_for(output)
    if manifest.resolve() == manifest_path_for(summary.source.resolve()):
        from vqa_core.errors import UsageError

        raise UsageError(
            f"the report's manifest {manifest} would overwrite the manifest of {summary.source}; "
            "give the report another name"
        )
    # one writer per output, as for every command
    with output_lock(output, manifest):
        _write_report(summary, output, fmt, manifest, timestamp, versions)
    return manifest


def _write_report(
    summary: Summary,
    output: Path,
    fmt: str,
    manifest: Path,
    timestamp: str | None,
    versions: dict[str, str | None] | None,
) -> None:
    from vqa_core import __version__
    from vqa_core.fsutil import atomic_write_bytes
    from vqa_core.provenance import build_manifest, describe_file, write_manifest
    from vqa_core.timestamps import run_timestamp

    stamp = run_timestamp(timestamp)
    if fmt == "html":
        data = _html(summary, stamp).encode("utf-8")
    else:
        names = [c.corpus for c in summary.corpora] or ["all"]
        data = _figure(summary, names, min(3, len(names)))
    atomic_write_bytes(output, data)
    write_manifest(
        manifest,
        build_manifest(
            MANIFEST_SCHEMA,
            created_at_utc=stamp,
            versions=versions or {"vqa-core": __version__},
            inputs={"unified": {"path": str(summary.source), "sha256": summary.sha256}},
            outputs={"report": describe_file(output)},
            summary=summary.as_dict(),
        ),
    )
