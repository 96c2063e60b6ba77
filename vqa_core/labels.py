"""Joining MOS labels onto a feature table (``vqa labels materialize``).

The join, step by step:

1. The output suffix is checked first (Parquet, JSONL or JSON); nothing is read
   for an output that could not be written.
2. Key columns are given or inferred (first case-insensitive match in
   :func:`key_candidates`: core's clip ids, then the clip-id columns installed
   plugins name, then generic names) and always read as exact strings.
3. Keys are normalised: ``raw``, ``basename`` (last path component, ``/`` or
   ``\\``), ``stem`` (basename without its last suffix), or ``auto`` (see
   :func:`resolve_normalisation`); then an optional regular expression per side
   (``re.search``; group 1 if the pattern has a group, else the whole match; no
   match → no key). Keys are stripped of surrounding blanks.
4. Each labels file's MOS column is read on an explicit scale (``1-5`` or
   ``0-100``) or on the one ``auto`` decides from the *whole* column
   (:func:`decide_scale`); out-of-scale, missing or non-numeric values are counted
   rejections with ``file:line``, never silently rescaled.
5. Duplicate keys with equal labels are ignored (counted); different labels for
   one key are an error naming the key and both places.
6. Coverage: matched unique feature keys / unique feature keys must reach
   ``min_match_rate`` or nothing is written. A feature row without a key counts
   as one unmatched key.
7. Output: the feature rows in their order, plus ``mos`` (1–5),
   ``mos_raw_0_100``, ``mos_std_dev`` (on the 1–5 axis), ``mos_n_ratings``,
   ``mos_label_status`` (``ok``, ``missing-label``, ``missing-key``) and
   ``mos_label_source``; ``split``, ``corpus``, ``corpus_version`` and
   ``content_group`` from the labels when the feature table lacks them (so the
   labelled table says which rows show one content, for leak-free folds). Existing MOS columns are refused unless
   ``overwrite``. Then the manifest sidecar and, if asked, the audit JSON.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from vqa_core.errors import LabelError, ShardError, UsageError
from vqa_core.fsutil import manifest_path_for
from vqa_core.provenance import build_manifest, describe_file, write_manifest
from vqa_core.runner.lock import output_lock
from vqa_core.runner.progress import Phase, ProgressSink
from vqa_core.scales import ACR_1_5, CONTINUOUS_0_100, RANGE_SLACK, MosScale
from vqa_core.tables.loose import LoadedTable, output_format, read_table, write_table
from vqa_core.timestamps import run_timestamp

if TYPE_CHECKING:
    import pyarrow as pa

    from vqa_core.registry import Plugins

__all__ = [
    "KEY_CANDIDATES",
    "key_candidates",
    "MOS_CANDIDATES",
    "MOS_COLUMNS",
    "CONTEXT_COLUMNS",
    "NORMALISATIONS",
    "LABEL_SCALES",
    "AUDIT_SCHEMA",
    "MaterializeConfig",
    "MaterializeReport",
    "ScaleDecision",
    "decide_scale",
    "resolve_normalisation",
    "normalise_key",
    "materialize_labels",
]

log = logging.getLogger("vqa.labels")

#: Core's clip-id names, tried first.
_CLIP_KEYS: Final = ("key", "clip_key", "clip_id", "video_id")
#: Generic names, tried after the columns plugins name (``vqa_label_key_columns``).
_GENERIC_KEYS: Final = (
    "content_id",
    "clip_name",
    "file_name",
    "filename",
    "basename",
    "name",
    "src",
    "source",
    "src_path",
    "distorted_path",
    "dis_path",
    "path",
)
#: The key columns tried without any plugin's.
KEY_CANDIDATES: Final = (*_CLIP_KEYS, *_GENERIC_KEYS)
MOS_CANDIDATES: Final = ("mos", "mean_mos", "mos_raw_0_100", "raw_mos", "score", "quality")
STD_CANDIDATES: Final = ("mos_std_dev", "std_dev", "stddev")
COUNT_CANDIDATES: Final = ("mos_n_ratings", "n_ratings", "rating_count")
#: Columns this command writes; an existing one is replaced only with ``overwrite``.
MOS_COLUMNS: Final = (
    "mos",
    "mos_raw_0_100",
    "mos_std_dev",
    "mos_n_ratings",
    "mos_label_status",
    "mos_label_source",
)
#: Copied from the labels when the feature table does not have them already.
CONTEXT_COLUMNS: Final = ("split", "corpus", "corpus_version", "content_group")
NORMALISATIONS: Final = ("auto", "raw", "basename", "stem")
LABEL_SCALES: Final = ("auto", "1-5", "0-100")
AUDIT_SCHEMA: Final = "vqa-labels-audit-v1"
MANIFEST_SCHEMA: Final = "vqa-labels-manifest-v1"
#: Rejected labels listed one by one in the audit (all are counted).
AUDIT_REJECTIONS_LISTED: Final = 1000
#: Rejections logged one by one on stderr before the rest go only to the audit.
LOG_REJECTIONS: Final = 20
_PATHLIKE: Final = ("path", "file", "name", "src")
_HOW: Final = {"raw": "as written", "basename": "by file name", "stem": "by file name without suffix"}
_MOS_TOLERANCE: Final = 1e-6
#: Cell texts that mean "no value" (the CSV reader's own null tokens, for text columns).
_EMPTY_CELLS: Final = frozenset({"", "na", "n/a", "null", "none", "-"})


# ---------------------------------------------------------------------------
# Pure rules
# ---------------------------------------------------------------------------


def resolve_normalisation(mode: str, column: str, *, all_src: bool = False) -> str:
    """``auto`` → ``raw`` when every key column of the join (features and every labels file) is
    ``src`` (vqa's path relative to the dataset root, compared whole so same-named clips in
    different folders stay apart); otherwise ``basename`` if the column name contains path,
    file, name or src, else ``raw``. One rule for the whole join, so both sides agree."""
    if mode not in NORMALISATIONS:
        raise UsageError(f"key normalisation {mode!r} is not one of {', '.join(NORMALISATIONS)}")
    if mode != "auto":
        return mode
    if all_src:
        return "raw"
    return "basename" if any(part in column.lower() for part in _PATHLIKE) else "raw"


def normalise_key(value: str | None, mode: str, pattern: re.Pattern[str] | None = None) -> str:
    """The join key of one cell (``""`` = no key). ``mode`` is raw, basename or stem."""
    if value is None:
        return ""
    key = value.strip()
    if mode in ("basename", "stem"):
        key = key.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        if mode == "stem" and "." in key.lstrip("."):
            key = key[: key.rfind(".")]
    if pattern is not None and key:
        match = pattern.search(key)
        if match is None:
            return ""
        key = match.group(1) if pattern.groups else match.group(0)
        key = (key or "").strip()
    return key


def _compile(pattern: str | None, flag: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"{flag} {pattern!r} is not a valid regular expression: {exc}") from None


@attrs.frozen
class ScaleDecision:
    """The scale a labels column is read on, and the rule that chose it."""

    scale: str
    rule: str

    @property
    def mos_scale(self) -> MosScale:
        return ACR_1_5 if self.scale == "1-5" else CONTINUOUS_0_100


def decide_scale(
    requested: str, column: str, values: Sequence[float], *, unified: bool = False
) -> ScaleDecision:
    """The scale of a whole MOS column.

    Explicit ``1-5`` / ``0-100`` always wins. ``auto``, in order: a column named
    ``mos_raw_0_100`` is 0–100; ``mos`` of a unified table (``vqa aggregate``
    output) is 0–100; otherwise from the finite values of the whole column —
    all in [1, 5] → 1–5; maximum ≥ 10 → 0–100; anything else (maximum between
    5 and 10, or values below 1 with a maximum ≤ 5) is ambiguous and refused:
    no single value ever switches the scale of the others.
    """
    if requested not in LABEL_SCALES:
        raise UsageError(f"--label-scale {requested!r} is not one of {', '.join(LABEL_SCALES)}")
    if requested != "auto":
        return ScaleDecision(requested, "explicit")
    if column.lower() == "mos_raw_0_100":
        return ScaleDecision("0-100", "column named mos_raw_0_100")
    if unified and column == "mos":
        return ScaleDecision("0-100", "mos of a unified table (vqa aggregate) is on 0-100")
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        raise LabelError(f"column {column} has no numeric values to decide its scale from")
    lo, hi = min(finite), max(finite)
    if lo >= 1.0 and hi <= 5.0:
        return ScaleDecision("1-5", f"all {len(finite)} values within [1, 5]")
    if hi >= 10.0:
        return ScaleDecision("0-100", f"maximum {hi:g} is at least 10")
    raise LabelError(
        f"column {column} is ambiguous (values from {lo:g} to {hi:g} fit neither 1-5 nor a clear 0-100 "
        "column); pass --label-scale 1-5 or --label-scale 0-100"
    )


def key_candidates(plugin_keys: Iterable[str] = ()) -> tuple[str, ...]:
    """The key columns inference tries, in order: core's clip ids, ``plugin_keys`` (the columns
    installed plugins name through ``vqa_label_key_columns``), then generic names."""
    extra = tuple(k for k in dict.fromkeys(plugin_keys) if k not in KEY_CANDIDATES)
    return (*_CLIP_KEYS, *extra, *_GENERIC_KEYS)


def _pick(columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    lowered = {c.lower(): c for c in reversed(columns)}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    return None


def _choose(
    columns: Sequence[str], explicit: str | None, candidates: Sequence[str], flag: str, path: Path
) -> str:
    if explicit is not None:
        if explicit not in columns:
            raise UsageError(f"{flag} {explicit!r} is not a column of {path} (columns: {', '.join(columns)})")
        return explicit
    found = _pick(columns, candidates)
    if found is None:
        raise UsageError(
            f"could not infer {flag} for {path}; tried {', '.join(candidates)}; columns: {', '.join(columns)}"
        )
    return found


# ---------------------------------------------------------------------------
# Configuration and report
# ---------------------------------------------------------------------------


def _rate(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise UsageError(f"--min-match-rate must be within [0, 1], got {value}")


def _paths(value: Iterable[Path]) -> tuple[Path, ...]:
    return tuple(Path(p) for p in value)


@attrs.frozen
class MaterializeConfig:
    features: Path
    labels: tuple[Path, ...] = attrs.field(converter=_paths)
    out: Path
    audit_json: Path | None = None
    feature_key_column: str | None = None
    label_key_column: str | None = None
    label_mos_column: str | None = None
    key_normalize: str = "auto"
    feature_key_regex: str | None = None
    label_key_regex: str | None = None
    label_scale: str = "auto"
    min_match_rate: float = attrs.field(default=0.95, converter=float, validator=_rate)
    overwrite: bool = False
    timestamp: str | None = None


@attrs.frozen
class MaterializeReport:
    out: Path
    manifest: Path
    audit: dict[str, Any]

    def summary(self) -> str:
        c = self.audit["counts"]
        return (
            f"labels: {c['matched_rows']:,} of {c['input_rows']:,} feature rows labelled "
            f"(match rate {self.audit['match_rate']:.3f}), {c['rejected_labels']:,} labels rejected "
            f"-> {self.out}"
        )


@attrs.frozen
class _Label:
    mos: float
    raw: float
    std: float | None
    n_ratings: int | None
    context: tuple[tuple[str, str | None], ...]
    source: str
    where: str

    def same_as(self, other: _Label) -> bool:
        def close(a: float | None, b: float | None, tol: float) -> bool:
            return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= tol)

        return (
            close(self.mos, other.mos, _MOS_TOLERANCE)
            and close(self.std, other.std, 1e-6)
            and self.n_ratings == other.n_ratings
            and self.context == other.context
        )


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------


def _number(value: Any) -> float | str | None:
    """A cell as a float, ``None`` when empty, or the text that is not a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.lower() in _EMPTY_CELLS:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _optional_float(value: Any) -> float | None:
    number = _number(value)
    return number if isinstance(number, float) and math.isfinite(number) else None


class _LabelSet:
    """Labels of every file, by normalised key, with what was counted on the way."""

    def __init__(self, config: MaterializeConfig, keys: Sequence[str], prefer_key: str | None = None) -> None:
        self.config = config
        self.keys = keys
        #: Without --label-key-column, a labels file that has the feature table's key column
        #: joins on that same column (a shard's src with a features table's src).
        self.prefer_key = prefer_key
        self.pattern = _compile(config.label_key_regex, "--label-key-regex")
        self.by_key: dict[str, _Label] = {}
        self.files: list[dict[str, Any]] = []
        self.rejections: list[dict[str, Any]] = []
        self.rejected: Counter[str] = Counter()
        self.duplicates = 0

    def read(self, path: Path) -> tuple[LoadedTable, str]:
        """A labels file and its key column (read as text)."""
        chosen: dict[str, str] = {}

        def strings(names: Sequence[str]) -> list[str]:
            same = [n for n in names if self.prefer_key and n.lower() == self.prefer_key.lower()]
            if self.config.label_key_column is None and same:
                chosen["key"] = same[0]
            else:
                chosen["key"] = _choose(
                    names, self.config.label_key_column, self.keys, "--label-key-column", path
                )
            return [chosen["key"]]

        table = read_table(path, strings=strings)
        return table, chosen["key"]

    def add(self, table: LoadedTable, key_column: str, all_src: bool) -> None:
        """Load the labels of one file read by :meth:`read`."""
        config = self.config
        mos_column = _choose(
            table.columns, config.label_mos_column, MOS_CANDIDATES, "--label-mos-column", table.path
        )
        mode = resolve_normalisation(config.key_normalize, key_column, all_src=all_src)
        rows = table.table.to_pylist()
        numbers = [_number(r.get(mos_column)) for r in rows]
        unified = "mos_native_scale" in table.columns
        decision = decide_scale(
            config.label_scale, mos_column, [n for n in numbers if isinstance(n, float)], unified=unified
        )
        std_column = _pick(table.columns, STD_CANDIDATES)
        count_column = _pick(table.columns, COUNT_CANDIDATES)
        context_columns = [c for c in CONTEXT_COLUMNS if c in table.columns]
        loaded = without_key = 0
        rejected_here: Counter[str] = Counter()
        for index, (row, number) in enumerate(zip(rows, numbers, strict=True)):
            key = normalise_key(row.get(key_column), mode, self.pattern)
            if not key:
                without_key += 1
                continue
            problem = self._problem(number, decision)
            if problem is not None:
                reason, detail = problem
                rejected_here[reason] += 1
                self._reject(table, index, key, reason, detail)
                continue
            assert isinstance(number, float)
            label = self._label(
                row, number, decision, std_column, count_column, context_columns, table, index
            )
            if self._add(key, label, mode):
                loaded += 1
        self.files.append(
            {
                "path": str(table.path),
                "format": table.format,
                "rows": table.num_rows,
                "key_column": key_column,
                "key_normalize": mode,
                "mos_column": mos_column,
                "scale": decision.scale,
                "scale_rule": decision.rule,
                "std_column": std_column,
                "n_ratings_column": count_column,
                "context_columns": context_columns,
                "labels_loaded": loaded,
                "rows_without_key": without_key,
                "rejected": dict(sorted(rejected_here.items())),
            }
        )

    @staticmethod
    def _problem(number: float | str | None, decision: ScaleDecision) -> tuple[str, str] | None:
        if number is None:
            return "missing-mos", "no MOS value"
        if isinstance(number, str):
            return "non-numeric-mos", f"MOS {number!r} is not a number"
        if not math.isfinite(number):
            return "non-finite-mos", f"MOS {number!r} is not finite"
        scale = decision.mos_scale
        if not scale.contains(number):
            return (
                "out-of-scale",
                f"MOS {number:g} is outside the {decision.scale} scale ({decision.rule}; ±{RANGE_SLACK} accepted)",
            )
        return None

    def _reject(self, table: LoadedTable, index: int, key: str, reason: str, detail: str) -> None:
        self.rejected[reason] += 1
        where = table.where(index)
        if len(self.rejections) < AUDIT_REJECTIONS_LISTED:
            self.rejections.append({"where": where, "key": key, "reason": reason, "detail": detail})
        total = sum(self.rejected.values())
        if total <= LOG_REJECTIONS:
            log.warning("%s: %s: %s", where, reason, detail)
        elif total == LOG_REJECTIONS + 1:
            log.warning("further rejected labels are listed in the audit")

    @staticmethod
    def _label(
        row: dict[str, Any],
        value: float,
        decision: ScaleDecision,
        std_column: str | None,
        count_column: str | None,
        context_columns: Sequence[str],
        table: LoadedTable,
        index: int,
    ) -> _Label:
        if decision.scale == "1-5":
            mos, raw, std_factor = value, ACR_1_5.to_unified(value), 1.0
        else:
            # The spread is scaled by a factor (0.04, exactly), not passed through
            # std_from_unified: the two round differently and label tables keep their bytes.
            mos, raw, std_factor = ACR_1_5.from_unified(value), value, ACR_1_5.std_from_unified(1.0)
        std = _optional_float(row.get(std_column)) if std_column else None
        # 0 is the shard format's "not published" for both spread and count
        std = std * std_factor if std else None
        count = _optional_float(row.get(count_column)) if count_column else None
        n_ratings = int(count) if count else None
        context = tuple((c, None if row.get(c) is None else str(row.get(c))) for c in context_columns)
        return _Label(mos, raw, std, n_ratings, context, str(table.path), table.where(index))

    def _add(self, key: str, label: _Label, mode: str) -> bool:
        prior = self.by_key.get(key)
        if prior is None:
            self.by_key[key] = label
            return True
        if prior.same_as(label):
            self.duplicates += 1
            return False
        raise LabelError(
            f"conflicting MOS labels for key {key!r} (keys compared {_HOW[mode]}): {prior.where} gives "
            f"mos {prior.mos:g}, {label.where} gives mos {label.mos:g}",
            path=label.where,
            key=key,
        )


# ---------------------------------------------------------------------------
# The join
# ---------------------------------------------------------------------------


def materialize_labels(
    config: MaterializeConfig, *, plugins: Plugins = None, progress: ProgressSink | None = None
) -> MaterializeReport:
    """Join the labels of ``config.labels`` onto ``config.features`` (see the module docstring);
    ``plugins`` name further key columns to infer (installed plugins by default). ``progress`` is
    told the steps done: the feature table read, each labels file loaded, the output written."""

    feature_pattern = _check_request(config)
    timestamp = run_timestamp(config.timestamp)
    key_columns = _key_columns(config, plugins)
    audit = (config.audit_json,) if config.audit_json is not None else ()
    # one writer per output, as for every command: a second join into the same table is refused
    steps = 2 + len(config.labels)
    with (
        output_lock(config.out, manifest_path_for(config.out), *audit),
        Phase(progress, steps, "labels materialize", "steps") as phase,
    ):
        return _materialize(config, feature_pattern, timestamp, key_columns, phase)


def _materialize(
    config: MaterializeConfig,
    feature_pattern: re.Pattern[str] | None,
    timestamp: str,
    key_columns: Sequence[str],
    phase: Phase,
) -> MaterializeReport:
    """The join, under the output's lock."""
    features, feature_key_column = _read_features(config, key_columns)
    phase.add()
    labels, all_src = _load_labels(config, feature_key_column, key_columns, phase)
    feature_mode = resolve_normalisation(config.key_normalize, feature_key_column, all_src=all_src)
    key_values = features.table.column(feature_key_column).to_pylist()
    keys = [normalise_key(v, feature_mode, feature_pattern) for v in key_values]
    unique, unkeyed, matched, match_rate = _check_coverage(config, keys, labels)
    table, added, kept = _joined(features.table, keys, labels, config.overwrite)
    write_table(table, config.out)
    phase.add()
    counts = {
        "input_rows": features.num_rows,
        "output_rows": table.num_rows,
        "unique_feature_keys": len(unique),
        "unkeyed_feature_rows": unkeyed,
        "matched_feature_keys": len(matched),
        "matched_rows": sum(1 for k in keys if k in labels.by_key),
        "missing_rows": sum(1 for k in keys if k not in labels.by_key),
        "labels_loaded": len(labels.by_key),
        "duplicate_labels_ignored": labels.duplicates,
        "rejected_labels": sum(labels.rejected.values()),
    }
    audit: dict[str, Any] = {
        "schema": AUDIT_SCHEMA,
        "created_at_utc": timestamp,
        "features": {
            "path": str(config.features),
            "format": features.format,
            "key_column": feature_key_column,
            "key_normalize": feature_mode,
            "key_regex": config.feature_key_regex or "",
        },
        "labels": labels.files,
        "key_normalize": config.key_normalize,
        "label_key_regex": config.label_key_regex or "",
        "label_scale": config.label_scale,
        "min_match_rate": config.min_match_rate,
        "match_rate": match_rate,
        "counts": counts,
        "rejected_by_reason": dict(sorted(labels.rejected.items())),
        "rejections": labels.rejections,
        "columns": {
            "input": features.columns,
            "added": added,
            "kept_from_features": kept,
            "output": table.column_names,
        },
        "overwrite": config.overwrite,
    }
    return _write_manifest_and_audit(config, timestamp, audit)


def _check_request(config: MaterializeConfig) -> re.Pattern[str] | None:
    """Refuse an unwritable output, a bad audit path, no labels or an invalid key regex before
    anything is read; the compiled ``--feature-key-regex``."""
    output_format(config.out)
    if config.audit_json is not None and config.audit_json.suffix.lower() != ".json":
        raise UsageError(f"--audit-json {config.audit_json} must end in .json")
    if not config.labels:
        raise UsageError("give at least one --labels file")
    feature_pattern = _compile(config.feature_key_regex, "--feature-key-regex")
    _compile(config.label_key_regex, "--label-key-regex")
    return feature_pattern


def _key_columns(config: MaterializeConfig, plugins: Plugins) -> tuple[str, ...]:
    """The key columns to infer from; plugins are asked only when a key column is to be inferred."""
    if config.feature_key_column is not None and config.label_key_column is not None:
        return KEY_CANDIDATES
    from vqa_core.registry import load_plugins

    return key_candidates(load_plugins(plugins).label_key_columns())


def _read_features(config: MaterializeConfig, keys: Sequence[str]) -> tuple[LoadedTable, str]:
    """The feature table (refused when empty or, without ``overwrite``, already labelled) and
    its key column."""
    chosen: dict[str, str] = {}

    def strings(names: Sequence[str]) -> list[str]:
        chosen["key"] = _choose(
            names, config.feature_key_column, keys, "--feature-key-column", config.features
        )
        return [chosen["key"]]

    features = read_table(config.features, strings=strings)
    if features.num_rows == 0:
        raise ShardError(f"feature table {config.features} has no rows", path=str(config.features))
    feature_key_column = chosen["key"]
    existing = [c for c in MOS_COLUMNS if c in features.columns]
    if existing and not config.overwrite:
        raise LabelError(
            f"refusing to overwrite existing MOS columns {', '.join(existing)} of {config.features}; "
            "pass --overwrite to replace them",
            path=str(config.features),
        )
    return features, feature_key_column


def _load_labels(
    config: MaterializeConfig, feature_key_column: str, keys: Sequence[str], phase: Phase
) -> tuple[_LabelSet, bool]:
    """The labels of every ``--labels`` file (at least one usable), and whether every key
    column of the join is ``src``."""
    labels = _LabelSet(config, keys, prefer_key=None if config.feature_key_column else feature_key_column)
    label_tables = [labels.read(path) for path in config.labels]
    all_src = feature_key_column.lower() == "src" and all(k.lower() == "src" for _, k in label_tables)
    for table, key_column in label_tables:
        labels.add(table, key_column, all_src)
        phase.add()
    if not labels.by_key:
        raise LabelError(
            f"no usable MOS labels in {', '.join(str(p) for p in config.labels)} "
            f"({sum(labels.rejected.values())} rejected)"
        )
    return labels, all_src


def _check_coverage(
    config: MaterializeConfig, keys: Sequence[str], labels: _LabelSet
) -> tuple[set[str], int, set[str], float]:
    """The unique feature keys, the rows without a key, the matched keys and the match rate;
    below ``min_match_rate`` nothing is written."""
    unique = set(k for k in keys if k)
    unkeyed = sum(1 for k in keys if not k)
    matched = unique & labels.by_key.keys()
    denominator = len(unique) + unkeyed
    match_rate = len(matched) / denominator if denominator else 0.0
    if match_rate < config.min_match_rate:
        examples = ", ".join(repr(k) for k in sorted(unique - matched)[:3])
        raise LabelError(
            f"MOS label match rate {match_rate:.3f} below --min-match-rate {config.min_match_rate:.3f} "
            f"({len(matched)}/{denominator} feature keys matched"
            + (f"; unmatched e.g. {examples}" if examples else "")
            + (f"; {unkeyed} feature rows have no key" if unkeyed else "")
            + "); nothing written",
            path=str(config.features),
        )
    return unique, unkeyed, matched, match_rate


def _write_manifest_and_audit(
    config: MaterializeConfig, timestamp: str, audit: dict[str, Any]
) -> MaterializeReport:
    """The manifest sidecar of the written table and, if asked, the audit JSON."""
    inputs = {
        "features": describe_file(config.features),
        "labels": [describe_file(p) for p in config.labels],
    }
    manifest_path = manifest_path_for(config.out)
    from vqa_core import __version__

    manifest = build_manifest(
        MANIFEST_SCHEMA,
        created_at_utc=timestamp,
        versions={"vqa-core": __version__},
        inputs=inputs,
        outputs={"table": describe_file(config.out)},
        audit=audit,
    )
    write_manifest(manifest_path, manifest)
    audit = dict(
        audit,
        inputs=inputs,
        outputs={"table": describe_file(config.out), "manifest": describe_file(manifest_path)},
    )
    if config.audit_json is not None:
        write_manifest(config.audit_json, audit)
    return MaterializeReport(config.out, manifest_path, audit)


def _joined(
    features: pa.Table, keys: Sequence[str], labels: _LabelSet, overwrite: bool
) -> tuple[pa.Table, list[str], list[str]]:
    import pyarrow as pa

    found = [labels.by_key.get(k) if k else None for k in keys]
    status = [
        "ok" if f is not None else ("missing-label" if k else "missing-key")
        for k, f in zip(keys, found, strict=True)
    ]
    new: dict[str, pa.Array] = {
        "mos": pa.array([f.mos if f else None for f in found], pa.float64()),
        "mos_raw_0_100": pa.array([f.raw if f else None for f in found], pa.float64()),
        "mos_std_dev": pa.array([f.std if f else None for f in found], pa.float64()),
        "mos_n_ratings": pa.array([f.n_ratings if f else None for f in found], pa.int64()),
        "mos_label_status": pa.array(status, pa.string()),
        "mos_label_source": pa.array([f.source if f else "" for f in found], pa.string()),
    }
    kept: list[str] = []
    context_names = sorted(
        {name for f in labels.files for name in f["context_columns"]}, key=CONTEXT_COLUMNS.index
    )
    for name in context_names:
        if name in features.column_names:
            kept.append(name)
            continue
        new[name] = pa.array([dict(f.context).get(name) if f else None for f in found], pa.string())
    table = features
    for name, array in new.items():
        if name in table.column_names:
            assert overwrite or name not in MOS_COLUMNS
            table = table.set_column(table.column_names.index(name), name, array)
        else:
            table = table.append_column(name, array)
    return table, list(new), kept
