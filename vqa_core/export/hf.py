"""A Hugging Face ``datasets`` dataset, written by that library, with a dataset card beside it.

``--by split``/``--by corpus``: a ``DatasetDict`` whose keys are the split names
or corpus ids as Hub split names (:func:`~vqa_core.export.common.hub_name`:
``test-1080p`` → ``test_1080p``); ``--by none``: one ``Dataset``. Either way
``datasets.load_from_disk(DIR)`` reads it back. Columns: ``path`` and ``label``
(the export's clip and MOS), then every column of the table with its type.
``README.md`` is the card: the YAML header the Hub reads (licence, task, size,
``configs`` pointing at the Arrow files, ``dataset_info``) and a body naming
every corpus with its licence, citation and rows. Nothing is uploaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from vqa_core.errors import ExportError, MissingExtraError
from vqa_core.export.common import (
    ExportPlan,
    WriterOutput,
    WrittenFile,
    hub_name,
    licence_warning,
)
from vqa_core.fsutil import atomic_write_bytes

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["write", "INSTALL_HINT", "LEADING", "hub_licence", "size_category", "card_text"]

INSTALL_HINT: Final = "pip install 'vqa-core[hf]'"
LEADING: Final = ("path", "label")
#: Hub licence ids of the Creative Commons licences the declarations name.
_HUB_LICENCES: Final = {
    "cc by 3.0": "cc-by-3.0",
    "cc by 4.0": "cc-by-4.0",
    "cc by-sa 4.0": "cc-by-sa-4.0",
    "cc by-nc 4.0": "cc-by-nc-4.0",
    "cc by-nc-sa 4.0": "cc-by-nc-sa-4.0",
    "cc by-nc-nd 4.0": "cc-by-nc-nd-4.0",
    "cc0 1.0": "cc0-1.0",
}
_SIZES: Final = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))


def _datasets() -> Any:
    try:
        import datasets
    except ImportError:
        raise MissingExtraError(
            f"--format hf needs the datasets library: {INSTALL_HINT}", extra="hf"
        ) from None
    return datasets


def hub_licence(licence: str | None) -> str:
    """The Hub's id for a declaration's licence, or ``other``."""
    return _HUB_LICENCES.get((licence or "").strip().lower(), "other")


def size_category(rows: int) -> str:
    for limit, name in _SIZES:
        if rows < limit:
            return name
    return "1M<n<10M"


def _arrow_schema(plan: ExportPlan, table_schema: pa.Schema) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field("path", pa.string()), pa.field("label", pa.float64()), *table_schema])


def write(plan: ExportPlan, folder: Path) -> WriterOutput:
    datasets = _datasets()
    from vqa_core.tables.loose import read_table

    clash = [c for c in LEADING if c in plan.columns]
    if clash:
        raise ExportError(f"the table already has a column named {clash[0]!r}, which an hf export adds")
    schema = _arrow_schema(plan, read_table(plan.config.table).table.schema)
    features = datasets.Features.from_arrow_schema(schema)
    names = {g.key: hub_name(g.key) for g in plan.groups}
    if len(set(names.values())) != len(names):
        raise ExportError(f"group names {sorted(names)} collide as Hub split names {sorted(names.values())}")
    parts = {
        names[g.key]: datasets.Dataset.from_list(
            [{"path": r.path, "label": r.mos, **r.record} for r in g.rows], features=features
        )
        for g in plan.groups
    }
    quiet = datasets.is_progress_bar_enabled()
    if quiet:  # why: save_to_disk draws a bar per split on stderr, where the warnings go
        datasets.disable_progress_bars()
    try:
        if plan.config.by == "none":
            (only,) = parts.values()
            only.save_to_disk(str(folder))
            files = tuple(WrittenFile(g.key, ".", len(g.rows)) for g in plan.groups)
        else:
            datasets.DatasetDict(parts).save_to_disk(str(folder))
            files = tuple(WrittenFile(g.key, names[g.key], len(g.rows)) for g in plan.groups)
    finally:
        if quiet:
            datasets.enable_progress_bars()
    atomic_write_bytes(folder / "README.md", card_text(plan, features, names).encode())
    return WriterOutput(files, versions={"datasets": datasets.__version__})


def card_text(plan: ExportPlan, features: Any, names: dict[str, str]) -> str:
    """The dataset card: the Hub's YAML header, then what a reader must know."""
    import datasets
    from huggingface_hub import DatasetCard, DatasetCardData

    counts = {names[g.key]: len(g.rows) for g in plan.groups}
    single = plan.config.by == "none"
    data_files = (
        [{"split": "train", "path": "data-*.arrow"}]
        if single
        else [{"split": name, "path": f"{name}/data-*.arrow"} for name in counts]
    )
    licences = sorted({hub_licence(c.licence) for c in plan.corpora})
    terms: dict[str, Any] = {}
    if "other" in licences:
        terms = {
            "license_name": "vqa-corpus-terms",
            "license_details": "Each corpus keeps its own terms; see the Licences section of this card.",
        }
    data = DatasetCardData(
        license=licences[0] if len(licences) == 1 else licences,
        task_categories=["other"],
        size_categories=[size_category(plan.rows)],
        pretty_name="Video quality MOS labels (vqa export)",
        tags=["video-quality-assessment", "mean-opinion-score", "vqa"],
        configs=[{"config_name": "default", "data_files": data_files}],
        **terms,
    )
    splits = datasets.SplitDict()
    for name, rows in counts.items():
        splits.add(datasets.SplitInfo(name="train" if single else name, num_examples=rows))
    info = datasets.DatasetInfo(features=features, splits=splits)
    datasets.info.DatasetInfosDict({"default": info}).to_dataset_card_data(data)
    body = _body(plan, counts, single)
    card = DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}")
    return str(card)


def _body(plan: ExportPlan, counts: dict[str, int], single: bool) -> str:
    lines = [
        "# Video quality MOS labels",
        "",
        f"{plan.rows} labelled clips from {len(plan.corpora)} corpora, exported by `vqa export` from a "
        f"{plan.kind} table. Only labels and clip paths are here: the clips stay with their corpora.",
        "",
        f"* `label`: the mean opinion score on {plan.axis}.",
        f"* `path`: the clip, {'relative to its corpus dataset root (the `src` column)' if plan.config.paths == 'relative' else 'as an absolute path on the machine that exported it'}.",
        "* then every column of the table (`corpus`, `split`, `content_group`, …).",
        "",
        "## Splits" if not single else "## Rows",
        "",
    ]
    if single:
        lines.append(f"One dataset of {plan.rows} rows (the Hub names it `train`; it is every row).")
    else:
        what = "published split" if plan.config.by == "split" else "corpus"
        lines.append(f"One key per {what} (`-` becomes `_` in key names):")
        lines.append("")
        lines.extend(f"* `{name}`: {rows} rows" for name, rows in counts.items())
    lines += ["", "## Licences", ""]
    lines.append("| corpus | rows | licence | may be redistributed | MOS scale (native) |")
    lines.append("| --- | --- | --- | --- | --- |")
    for c in plan.corpora:
        licence = f"[{c.licence}]({c.licence_url})" if c.licence and c.licence_url else "unknown"
        scales = ", ".join(c.native_scales) or "-"
        lines.append(
            f"| {c.id} | {c.rows} | {licence} | {'yes' if c.may_redistribute else 'no: ' + c.redistribution} | {scales} |"
        )
    warning = licence_warning(plan.corpora)
    if warning:
        lines += ["", f"**Redistribution:** {warning[0].upper()}{warning[1:]}."]
    lines += ["", "## Citations", ""]
    for c in plan.corpora:
        lines += [f"### {c.title or c.id}", "", "```", c.citation or "(plugin not installed)", "```", ""]
    return "\n".join(lines)
