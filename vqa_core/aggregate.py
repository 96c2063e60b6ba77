"""``vqa aggregate``: corpus shards → one table on the unified 0–100 axis.

Pipeline (columnar, pyarrow + numpy; Python objects per row only while writing
JSONL and for the dropped duplicates the manifest lists):

1. Check the arguments before any work: output suffix, every shard exists and
   is given once, overrides name given shards and installed corpora.
2. Read each shard (JSONL or Parquet, base and grouping columns only; extension
   columns are ignored). A shard of the encode-grid schema is excluded with a
   message. A shard written before the grouping columns existed (schema v1) is
   read as if every row were its own content (``<corpus>/<src>``) without a split.
3. Label each row with its corpus (``corpus`` field, or the shard's
   ``--override``) and find the corpus among the installed plugins. An unknown
   corpus is an error naming the plugin to install, or, with
   ``--on-unknown skip``, rows counted as ``unknown-corpus``. Corpora without
   subjective scores (BVI-DVC) are excluded and counted with a message.
4. Range check on the native value: finite and inside the declared scale
   ± :data:`~vqa_core.scales.RANGE_SLACK`, never clipped; failures are counted per
   corpus and reason.
5. Convert through the plugin's :class:`~vqa_core.scales.ScaleConversion`: ``mos``
   and ``mos_std_dev`` land on 0–100 (the spread scaled by ``|slope|``);
   ``content_group`` and ``split`` are carried over as they are.
6. Deduplicate by ``src_sha256`` (:mod:`vqa_core.dedup`), sort by
   ``(corpus_source, src_sha256)``, write atomically, then the manifest.

Every row read is accounted for: ``rows_in = rows_out + dropped + duplicates``.
Progress goes to an optional :class:`~vqa_core.runner.progress.ProgressSink`: the
shards read, then the steps after them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from vqa_core.errors import PluginError, ShardError, UnknownCorpusError, UsageError
from vqa_core.runner.progress import Phase, ProgressSink
from vqa_core.scales import RANGE_SLACK, ScaleConversion
from vqa_core.schema import BASE_FIELDS, UNIFIED_FIELDS, UNIFIED_SCHEMA_ID

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from vqa_core.dedup import Deduplicated
    from vqa_core.registry import Registry
    from vqa_core.tables.shards import ShardTable

__all__ = [
    "MANIFEST_SCHEMA",
    "DROP_REASONS",
    "OnUnknown",
    "AggregateResult",
    "parse_override",
    "aggregate",
]

log = logging.getLogger("vqa.aggregate")

MANIFEST_SCHEMA: Final = "vqa-aggregate-manifest-v1"

OnUnknown = Literal["error", "skip"]

#: Why a row is left out, in order of precedence (a row counts under the first that applies).
DROP_REASONS: Final[tuple[str, ...]] = (
    "unknown-corpus",
    "no-subjective-scores",
    "missing-value",
    "bad-src-sha256",
    "mos-missing",
    "mos-not-finite",
    "mos-out-of-range",
    "std-dev-invalid",
)
_NREASONS: Final = len(DROP_REASONS) + 1  # code 0 = kept

#: Base fields whose null makes a row unusable (``mos`` has its own reasons; a null
#: ``mos_std_dev`` / ``n_ratings`` reads as "not published", i.e. 0).
_MUST_HAVE: Final = tuple(
    f for f in BASE_FIELDS if f not in ("mos", "mos_std_dev", "n_ratings", "corpus", "corpus_version")
)
#: Columns a shard may lack when ``--override`` names its corpus.
_OVERRIDABLE: Final = frozenset({"corpus", "corpus_version"})
#: Examples of dropped rows kept per (reason, corpus) in the manifest.
_EXAMPLES: Final = 10
_SHA256_RE: Final = r"^[0-9a-f]{64}$"


@attrs.frozen
class AggregateResult:
    """What one aggregation did; the same numbers are in the manifest."""

    output: Path
    manifest: Path
    rows_in: int
    rows_out: int
    #: reason → corpus → rows.
    dropped: dict[str, dict[str, int]]
    same_corpus_duplicates: int
    cross_corpus_duplicates: int
    #: corpus → {rows_in, rows_out, dropped, duplicates}.
    corpora: dict[str, dict[str, int]]
    #: Warnings for the user (excluded corpora, skipped rows), one line each.
    messages: tuple[str, ...] = ()

    @property
    def dropped_total(self) -> int:
        return sum(n for by_corpus in self.dropped.values() for n in by_corpus.values())


@attrs.frozen
class _Plan:
    """How the rows of one corpus label are treated."""

    status: Literal["ok", "unknown", "no-labels"]
    conversion: ScaleConversion | None = None
    version: str | None = None
    distribution: str | None = None
    message: str = ""


def parse_override(text: str) -> tuple[Path, str]:
    """``SHARD=ID`` → ``(Path(SHARD), ID)``; :class:`UsageError` when malformed."""
    shard, sep, corpus_id = text.rpartition("=")
    if not sep or not shard.strip() or not corpus_id.strip():
        raise UsageError(f"--override expects SHARD=CORPUS_ID, got {text!r}")
    return Path(shard.strip()), corpus_id.strip()


def _read_schema() -> pa.Schema:
    import pyarrow as pa

    from vqa_core.schema import base_arrow_schema, grouping_arrow_fields

    # why: the grouping columns are read nullable too; a v1 shard lacks them (filled in later)
    return pa.schema([f.with_nullable(True) for f in (*base_arrow_schema(), *grouping_arrow_fields())])


def _check_arguments(
    shards: Sequence[Path], output: Path, manifest: Path, overrides: Iterable[tuple[Path, str]]
) -> tuple[list[Path], dict[Path, str]]:
    """Resolved shard paths in a stable order, and overrides by resolved path."""
    if not shards:
        raise UsageError("no shard given; pass one or more corpus shards (.jsonl or .parquet)")
    resolved: dict[Path, Path] = {}
    for shard in shards:
        real = shard.resolve()
        if real in resolved:
            raise UsageError(f"shard {shard} is given twice")
        resolved[real] = shard
    missing = [str(s) for s in shards if not s.is_file()]
    if missing:
        raise ShardError(
            f"shard{'s' if len(missing) > 1 else ''} not found: {', '.join(missing)}", path=missing[0]
        )
    for target, what in ((output, "output"), (manifest, "manifest")):
        if target.resolve() in resolved:
            raise UsageError(f"the {what} {target} would overwrite an input shard")
    from vqa_core.fsutil import manifest_path_for

    for real, shard in resolved.items():
        if manifest.resolve() == manifest_path_for(real):
            raise UsageError(
                f"the manifest {manifest} would overwrite the manifest of shard {shard}; "
                "choose another output name or --manifest-out"
            )
    by_path: dict[Path, str] = {}
    for path, corpus_id in overrides:
        real = path.resolve()
        if real not in resolved:
            given = ", ".join(str(s) for s in shards)
            raise UsageError(
                f"--override {path}={corpus_id}: {path} is not one of the shards given ({given})"
            )
        if by_path.get(real, corpus_id) != corpus_id:
            raise UsageError(f"--override names two corpora for {path}: {by_path[real]} and {corpus_id}")
        by_path[real] = corpus_id
    return sorted(resolved, key=str), by_path


@attrs.define
class _Shard:
    """One input shard as read (or excluded)."""

    given: Path
    real: Path
    index: int
    override: str | None
    data: ShardTable | None = None
    rows_in: int = 0
    excluded: str | None = None
    labels: frozenset[str] = frozenset()
    sha256: str | None = None
    size_bytes: int | None = None


def _count_grid_rows(path: Path) -> int:
    from vqa_core.tables.shards import iter_lines, shard_format

    if shard_format(path) == "parquet":
        import pyarrow.parquet as pq

        return int(pq.read_metadata(path).num_rows)
    return sum(1 for _ in iter_lines([path]))


def _load(shard: _Shard, schema: pa.Schema, registry: Registry) -> pa.Table | None:
    """Read one shard into the working table (base columns + corpus_source, _shard, _row)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from vqa_core.fsutil import sha256_file
    from vqa_core.tables.shards import probe_columns, read_shard

    columns = probe_columns(shard.given)
    if columns and "mos" not in columns and {"vmaf_score", "schema_version"} <= columns:
        shard.rows_in = _count_grid_rows(shard.given)
        shard.excluded = "encode-grid shard (no mos column)"
        shard.sha256 = sha256_file(shard.given)
        shard.size_bytes = shard.given.stat().st_size
        return None
    data = read_shard(shard.given, schema)
    table = data.table
    # Keep what points back into the file, not its rows (the working table holds those).
    shard.data = attrs.evolve(data, table=table.schema.empty_table())
    shard.sha256, shard.size_bytes = data.sha256, data.size_bytes
    shard.rows_in = table.num_rows
    required = set(BASE_FIELDS) - (_OVERRIDABLE if shard.override else set())
    absent = sorted(required - data.present) if table.num_rows else []
    del data
    if absent:
        hint = " (or name its corpus with --override SHARD=ID)" if "corpus" in absent else ""
        raise ShardError(
            f"{shard.given}: missing required column{'s' if len(absent) > 1 else ''} "
            f"{', '.join(absent)}{hint}",
            path=str(shard.given),
        )
    n = table.num_rows
    if shard.override:
        label = pa.repeat(pa.scalar(shard.override, pa.string()), n)
        version = registry.corpus(shard.override).declaration.version
        table = table.set_column(
            table.schema.get_field_index("corpus_version"),
            "corpus_version",
            pc.fill_null(table.column("corpus_version"), version),
        )
    else:
        label = pc.fill_null(table.column("corpus"), "")
    shard.labels = frozenset(pc.unique(label).to_pylist())
    table = table.append_column("corpus_source", label)
    table = table.append_column("_shard", pa.repeat(pa.scalar(shard.index, pa.int32()), n))
    return table.append_column("_row", pa.array(np.arange(n, dtype=np.int64)))


def _plan_for(registry: Registry, label: str, shards: list[str]) -> _Plan:
    where = ", ".join(shards)
    if not label:
        return _Plan("unknown", message=f"rows without a corpus label in {where}; name it with --override")
    try:
        corpus = registry.corpus(label)
    except UnknownCorpusError as exc:
        from vqa_core.catalogue import install_hint

        hint = "" if "pip install" in str(exc) or "installed but" in str(exc) else f"; {install_hint(label)}"
        return _Plan("unknown", message=f"{exc}{hint} (rows in {where})")
    decl = corpus.declaration
    if not decl.has_labels:
        return _Plan(
            "no-labels",
            version=decl.version,
            distribution=corpus.plugin.name,
            message=(
                f"{label} has no subjective scores (encode-grid corpus); its rows in {where} are "
                "excluded from MOS aggregation — use `vqa merge-grid` for encode-grid rows"
            ),
        )
    conversion = registry.scale_conversion(label)
    if not isinstance(conversion, ScaleConversion):
        raise PluginError(
            f"plugin {corpus.plugin.name} returned no scale conversion for {label!r}",
            distribution=corpus.plugin.name,
        )
    return _Plan("ok", conversion, decl.version, corpus.plugin.name)


def aggregate(
    registry: Registry,
    shards: Sequence[Path],
    output: Path,
    *,
    overrides: Iterable[tuple[Path, str]] = (),
    on_unknown: OnUnknown = "error",
    manifest_out: Path | None = None,
    timestamp: str | None = None,
    progress: ProgressSink | None = None,
) -> AggregateResult:
    """Aggregate ``shards`` into ``output`` (``.jsonl`` or ``.parquet``) and its manifest.

    Raises :class:`~vqa_core.errors.VqaError` subclasses for bad input (nothing is
    written then): unsupported suffix, missing shard, invalid JSON (``file:line``),
    missing column, unknown corpus with ``on_unknown="error"``.
    """
    from vqa_core.fsutil import manifest_path_for
    from vqa_core.runner.lock import output_lock
    from vqa_core.tables.shards import shard_output_format
    from vqa_core.timestamps import run_timestamp

    if on_unknown not in ("error", "skip"):
        raise UsageError(f"--on-unknown must be error or skip, not {on_unknown!r}")
    fmt = shard_output_format(output)
    manifest = manifest_out or manifest_path_for(output)
    ordered, by_path = _check_arguments(shards, output, manifest, overrides)
    for corpus_id in sorted(set(by_path.values())):
        registry.corpus(corpus_id)  # an override must name an installed corpus
    stamp = run_timestamp(timestamp)
    # one writer per output: a second aggregate (or ingest) into the same file is refused
    with output_lock(output, manifest):
        given = {s.resolve(): s for s in shards}

        import pyarrow as pa

        schema = _read_schema()
        inputs = [_Shard(given[real], real, i, by_path.get(real)) for i, real in enumerate(ordered)]
        table = _load_all(inputs, schema, registry, progress)
        pa.default_memory_pool().release_unused()  # the JSON reader's scratch space
        with Phase(progress, 4, f"aggregate: {table.num_rows:,} rows", "steps") as steps:
            work = _Work(registry, inputs, table, on_unknown)
            del table
            work.classify()
            unified = work.convert()
            work.release()
            pa.default_memory_pool().release_unused()
            steps.add()
            from vqa_core.dedup import deduplicate

            dedup = deduplicate(unified)
            duplicates = _Duplicates.of(dedup, work)
            final = _finish(unified, dedup.kept_rows, stamp)
            del dedup, unified
            pa.default_memory_pool().release_unused()
            steps.add()
            _write(final, output, fmt)
            steps.add()
            result = work.result(output, manifest, final, duplicates)
            _write_manifest(work, result, duplicates, final, manifest, stamp)
            steps.add()
        return result


def _load_all(
    inputs: list[_Shard], schema: pa.Schema, registry: Registry, progress: ProgressSink | None
) -> pa.Table:
    """Every shard's rows in one working table (excluded shards contribute none)."""
    import pyarrow as pa

    tables = []
    with Phase(progress, len(inputs), "aggregate: read shards", "shards") as phase:
        for shard in inputs:
            loaded = _load(shard, schema, registry)
            if loaded is not None:
                tables.append(loaded)
            log.debug("read %s: %s rows%s", shard.given, f"{shard.rows_in:,}", _excluded(shard))
            phase.add()
    return pa.concat_tables(tables) if tables else _load_empty(schema)


def _excluded(shard: _Shard) -> str:
    return f" (excluded: {shard.excluded})" if shard.excluded else ""


@attrs.frozen
class _Duplicates:
    """What the manifest and the result need of a deduplication, without its tables."""

    same_corpus: int
    cross_corpus: int
    kept_per_shard: list[int]
    dropped_per_shard: list[int]
    dropped_per_label: dict[str, int]
    entries: list[dict[str, Any]]

    @classmethod
    def of(cls, dedup: Deduplicated, work: _Work) -> _Duplicates:
        import numpy as np
        import pyarrow as pa

        def per_shard(column: pa.ChunkedArray) -> list[int]:
            shard = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.int64)
            return [int(n) for n in np.bincount(shard, minlength=len(work.shards))]

        columns = ["src_sha256", "corpus_source", "src", "_shard", "kept_corpus", "kept_src"]
        entries = [
            {
                "src_sha256": row["src_sha256"],
                "corpus": row["corpus_source"],
                "src": row["src"],
                "shard": str(work.shards[row["_shard"]].given),
                "kept_corpus": row["kept_corpus"],
                "kept_src": row["kept_src"],
            }
            for row in dedup.dropped.select(columns).to_pylist()
        ]
        per_label: dict[str, int] = {}
        for entry in entries:
            per_label[entry["corpus"]] = per_label.get(entry["corpus"], 0) + 1
        return cls(
            dedup.same_corpus,
            dedup.cross_corpus,
            per_shard(dedup.source.column("_shard").take(pa.array(dedup.kept_rows))),
            per_shard(dedup.dropped.column("_shard")),
            per_label,
            entries,
        )


def _load_empty(schema: pa.Schema) -> pa.Table:
    import pyarrow as pa

    table = schema.empty_table()
    table = table.append_column("corpus_source", pa.array([], pa.string()))
    table = table.append_column("_shard", pa.array([], pa.int32()))
    return table.append_column("_row", pa.array([], pa.int64()))


class _Work:
    """The row table of one run, its per-row reason codes and per-corpus plans."""

    def __init__(self, registry: Registry, shards: list[_Shard], table: pa.Table, on_unknown: OnUnknown):
        self.registry = registry
        self.shards = shards
        self.table = table
        self.on_unknown = on_unknown
        self.rows_read = table.num_rows
        labels: dict[str, set[str]] = {}
        for shard in shards:
            for label in shard.labels:
                labels.setdefault(label, set()).add(str(shard.given))
        self.labels = sorted(labels)
        self.plans = {label: _plan_for(registry, label, sorted(labels[label])) for label in self.labels}
        self.messages: list[str] = []

    def classify(self) -> None:
        """Per-row reason codes (0 = kept) and per-corpus counts; raise on unknown corpora."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        unknown = [label for label in self.labels if self.plans[label].status == "unknown"]
        if unknown and self.on_unknown == "error":
            first = self.plans[unknown[0]].message
            more = f" (and {len(unknown) - 1} more unknown corpora)" if len(unknown) > 1 else ""
            raise UnknownCorpusError(
                f"{first}{more}; pass --on-unknown skip to leave such rows out", corpus=unknown[0]
            )
        t = self.table
        n = t.num_rows
        value_set = pa.array(self.labels, pa.string())
        idx = pc.index_in(t.column("corpus_source"), value_set=value_set).to_numpy(zero_copy_only=False)
        self.idx = np.asarray(idx, dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
        status = np.array([self.plans[label].status for label in self.labels] or ["ok"])
        lo = np.array([self._bound(label, low=True) for label in self.labels] or [np.nan])
        hi = np.array([self._bound(label, low=False) for label in self.labels] or [np.nan])
        row_status = status[self.idx] if n else np.zeros(0, dtype=status.dtype)

        def isnull(name: str) -> np.ndarray:
            return np.asarray(pc.is_null(t.column(name)).to_numpy(zero_copy_only=False), dtype=bool)

        def values(name: str) -> np.ndarray:
            return np.asarray(pc.fill_null(t.column(name), 0.0).to_numpy(zero_copy_only=False), dtype=float)

        missing = np.zeros(n, dtype=bool)
        for name in (*_MUST_HAVE, "corpus_version"):
            missing |= isnull(name)
        with np.errstate(invalid="ignore"):
            for name in ("framerate", "duration_s"):  # NaN would become null in the output
                missing |= ~np.isfinite(values(name))
        sha = pc.fill_null(t.column("src_sha256"), "")
        bad_sha = ~np.asarray(
            pc.match_substring_regex(sha, _SHA256_RE).to_numpy(zero_copy_only=False), dtype=bool
        )
        mos_null = isnull("mos")
        mos = values("mos")
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(mos)
            in_range = (mos >= lo[self.idx]) & (mos <= hi[self.idx]) if n else np.zeros(0, dtype=bool)
            std = values("mos_std_dev")
            std_bad = ~np.isfinite(std) | (std < 0)
        code = np.zeros(n, dtype=np.int64)
        reason = {name: i + 1 for i, name in enumerate(DROP_REASONS)}
        code[std_bad] = reason["std-dev-invalid"]
        code[~in_range & finite] = reason["mos-out-of-range"]
        code[~finite] = reason["mos-not-finite"]
        code[mos_null] = reason["mos-missing"]
        code[bad_sha] = reason["bad-src-sha256"]
        code[missing] = reason["missing-value"]
        code[row_status == "no-labels"] = reason["no-subjective-scores"]
        code[row_status == "unknown"] = reason["unknown-corpus"]
        self.code = code
        self.mos = mos
        self.std = std
        ncorpora = max(len(self.labels), 1)
        self.counts = np.bincount(self.idx * _NREASONS + code, minlength=ncorpora * _NREASONS).reshape(
            ncorpora, _NREASONS
        )
        self.drop_examples = {
            (c, k): self._examples(c, k)
            for c in range(len(self.labels))
            for k, name in enumerate(DROP_REASONS, start=1)
            if self.counts[c, k] and name not in ("unknown-corpus", "no-subjective-scores")
        }
        self._explain()

    def _bound(self, label: str, *, low: bool) -> float:
        conversion = self.plans[label].conversion
        if conversion is None:
            return float("nan")
        scale = conversion.native
        # The same arithmetic as MosScale.contains, so both decide alike.
        return scale.lo - RANGE_SLACK if low else scale.hi + RANGE_SLACK

    def _explain(self) -> None:
        for shard in self.shards:
            if shard.excluded:
                self.messages.append(
                    f"{shard.given}: {shard.excluded} excluded from MOS aggregation "
                    f"({shard.rows_in} rows); merge encode-grid rows with `vqa merge-grid`"
                )
        for c, label in enumerate(self.labels):
            plan = self.plans[label]
            for k, name in enumerate(DROP_REASONS, start=1):
                n = int(self.counts[c, k])
                if not n:
                    continue
                if name in ("unknown-corpus", "no-subjective-scores"):
                    self.messages.append(f"{n} rows left out: {plan.message}")
                else:
                    first = self.drop_examples[c, k][0]["at"]
                    self.messages.append(
                        f"{label or '(no corpus)'}: {n} rows dropped ({name}), first at {first}"
                    )

    def _examples(self, c: int, k: int, limit: int = _EXAMPLES) -> list[dict[str, Any]]:
        import numpy as np
        import pyarrow as pa

        rows = np.flatnonzero((self.idx == c) & (self.code == k))[:limit]
        picked = self.table.select(["_shard", "_row", "src", "mos"]).take(pa.array(rows)).to_pylist()
        out = []
        for row in picked:
            data = self.shards[row["_shard"]].data
            assert data is not None  # rows only come from shards that were read
            out.append({"at": data.where(row["_row"]), "src": row["src"], "mos": row["mos"]})
        return out

    def convert(self) -> pa.Table:
        """The kept rows with the unified columns (plus ``_shard``/``_row`` for dedup)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        keep = self.code == 0
        t = self.table.filter(pa.array(keep))
        idx = self.idx[keep]
        convs = [self.plans[label].conversion for label in self.labels]
        slope = np.array([c.slope if c else np.nan for c in convs] or [np.nan])[idx]
        intercept = np.array([c.intercept if c else np.nan for c in convs] or [np.nan])[idx]
        names = np.array([c.native.name if c else "" for c in convs] or [""], dtype=object)[idx]
        native = self.mos[keep]
        # Same operations, in the same order, as ScaleConversion.convert / convert_std.
        unified = slope * native + intercept
        spread = np.abs(slope) * self.std[keep]
        corpus = t.column("corpus")
        label = t.column("corpus_source")
        corpus = pc.if_else(pc.or_kleene(pc.is_null(corpus), pc.equal(corpus, "")), label, corpus)
        # A row without a group (a v1 shard) is its own content: "<corpus>/<src>", as ingest writes it.
        group = t.column("content_group")
        own = pc.binary_join_element_wise(corpus, t.column("src"), "/")
        group = pc.if_else(pc.or_kleene(pc.is_null(group), pc.equal(group, "")), own, group)
        columns = {
            "src": t.column("src"),
            "src_sha256": t.column("src_sha256"),
            "src_size_bytes": t.column("src_size_bytes"),
            "width": t.column("width"),
            "height": t.column("height"),
            "framerate": t.column("framerate"),
            "duration_s": t.column("duration_s"),
            "pix_fmt": t.column("pix_fmt"),
            "encoder_upstream": t.column("encoder_upstream"),
            "mos": pa.array(unified, pa.float64()),
            "mos_native": pa.array(native, pa.float64()),
            "mos_native_scale": pa.array(names.tolist(), pa.string()),
            "mos_std_dev": pa.array(spread, pa.float64()),
            "n_ratings": pc.fill_null(t.column("n_ratings"), 0),
            "corpus": corpus,
            "corpus_source": label,
            "corpus_version": t.column("corpus_version"),
            "ingested_at_utc": t.column("ingested_at_utc"),
            "content_group": group,
            "split": t.column("split"),
            "_shard": t.column("_shard"),
            "_row": t.column("_row"),
        }
        return pa.table(columns)

    def release(self) -> None:
        """Drop the row table once the kept rows are converted (memory stays bounded)."""
        self.table = self.table.schema.empty_table()

    def result(self, output: Path, manifest: Path, final: pa.Table, dedup: _Duplicates) -> AggregateResult:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        dropped: dict[str, dict[str, int]] = {}
        for k, name in enumerate(DROP_REASONS, start=1):
            by_corpus = {
                label or "(no corpus)": int(self.counts[c, k])
                for c, label in enumerate(self.labels)
                if self.counts[c, k]
            }
            if by_corpus:
                dropped[name] = by_corpus
        value_set = pa.array(self.labels, pa.string())

        def per_label(column: pa.ChunkedArray) -> np.ndarray:
            if not len(column):
                return np.zeros(len(self.labels), dtype=np.int64)
            found = np.asarray(pc.index_in(column, value_set=value_set).to_numpy(zero_copy_only=False))
            return np.bincount(found.astype(np.int64), minlength=len(self.labels))

        outs = per_label(final.column("corpus_source"))
        corpora = {}
        for c, label in enumerate(self.labels):
            corpora[label or "(no corpus)"] = {
                "rows_in": int(self.counts[c].sum()),
                "rows_out": int(outs[c]),
                "dropped": int(self.counts[c, 1:].sum()),
                "duplicates": dedup.dropped_per_label.get(label, 0),
            }
        excluded_rows = sum(s.rows_in for s in self.shards if s.excluded)
        if excluded_rows:
            dropped.setdefault("no-subjective-scores", {})["(encode-grid shard)"] = excluded_rows
        rows_in = self.rows_read + excluded_rows
        result = AggregateResult(
            output=output,
            manifest=manifest,
            rows_in=rows_in,
            rows_out=final.num_rows,
            dropped=dropped,
            same_corpus_duplicates=dedup.same_corpus,
            cross_corpus_duplicates=dedup.cross_corpus,
            corpora=corpora,
            messages=tuple(self.messages)
            + (("no rows left to aggregate; the output is empty",) if not final.num_rows else ()),
        )
        accounted = result.rows_out + result.dropped_total + dedup.same_corpus + dedup.cross_corpus
        if accounted != rows_in:
            raise RuntimeError(f"aggregate lost track of rows: {rows_in} read, {accounted} accounted for")
        return result


def _finish(unified: pa.Table, kept_rows: np.ndarray, stamp: str) -> pa.Table:
    """The kept rows sorted by (corpus_source, src_sha256), unified columns in schema order."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from vqa_core.schema import unified_arrow_schema

    keys = unified.select(["corpus_source", "src_sha256"]).take(pa.array(kept_rows))
    order = pc.sort_indices(keys, sort_keys=[("corpus_source", "ascending"), ("src_sha256", "ascending")])
    rows = pa.array(np.asarray(kept_rows)[np.asarray(order.to_numpy(), dtype=np.int64)])
    columns = [name for name in UNIFIED_FIELDS if name != "aggregated_at_utc"]
    table = unified.select(columns).take(rows)
    table = table.append_column("aggregated_at_utc", pa.repeat(pa.scalar(stamp, pa.string()), table.num_rows))
    return table.select(list(UNIFIED_FIELDS)).cast(unified_arrow_schema())


def _write(table: pa.Table, output: Path, fmt: Literal["jsonl", "parquet"]) -> None:
    from vqa_core.fsutil import atomic_writer
    from vqa_core.tables.shards import write_shard

    with atomic_writer(output) as fh:
        write_shard(table, fh, fmt)


def _write_manifest(
    work: _Work,
    result: AggregateResult,
    dedup: _Duplicates,
    final: pa.Table,
    manifest: Path,
    stamp: str,
) -> None:
    from vqa_core.provenance import build_manifest, describe_file, write_manifest

    shards = []
    for shard in work.shards:
        entry: dict[str, Any] = {
            "path": str(shard.given),
            "exists": True,
            "size_bytes": shard.size_bytes,
            "sha256": shard.sha256,
            "format": shard.data.format if shard.data else None,
            "rows_in": shard.rows_in,
            "rows_out": dedup.kept_per_shard[shard.index],
            "duplicates": dedup.dropped_per_shard[shard.index],
            "override": shard.override,
        }
        if shard.excluded:
            entry["excluded"] = shard.excluded
        shards.append(entry)
    scales = {}
    for label in work.labels:
        plan = work.plans[label]
        if plan.conversion is not None:
            scales[label] = {
                **plan.conversion.as_dict(),
                "corpus_version": plan.version,
                "plugin": plan.distribution,
            }
    examples: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for (c, k), found in sorted(work.drop_examples.items()):
        examples.setdefault(DROP_REASONS[k - 1], {})[work.labels[c] or "(no corpus)"] = found
    body = build_manifest(
        MANIFEST_SCHEMA,
        created_at_utc=stamp,
        versions=work.registry.versions(),
        inputs={"shards": shards},
        outputs={
            "unified": {**describe_file(result.output), "schema": UNIFIED_SCHEMA_ID, "rows": final.num_rows}
        },
        stats={
            "shards": len(work.shards),
            "rows_in": result.rows_in,
            "rows_out": result.rows_out,
            "dropped": result.dropped,
            "dropped_total": result.dropped_total,
            "duplicates": {
                "same_corpus": result.same_corpus_duplicates,
                "cross_corpus": result.cross_corpus_duplicates,
            },
            "corpora": result.corpora,
        },
        config={
            "on_unknown": work.on_unknown,
            "range_slack": RANGE_SLACK,
            "dedup": "lowest converted mos_std_dev (0.0 = unpublished = worst); ties by corpus id, then src",
        },
        scale_conversions=scales,
        overrides={str(s.given): s.override for s in work.shards if s.override},
        drop_examples=examples,
        duplicates=dedup.entries,
        messages=list(result.messages),
    )
    write_manifest(manifest, body)
