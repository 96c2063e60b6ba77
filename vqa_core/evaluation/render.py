"""How an evaluation is shown: a Markdown table, an HTML report with scatter plots, a sidecar.

The Markdown table has a row per test set: ``n``, then each metric as
``value [low, high]`` (the 95 % interval; for ``repeated-holdout`` the median
with the interquartile range instead). The HTML report holds the same table
and, per test set, predicted against subjective MOS on the 0–100 axis with the
fitted logistic curve; matplotlib (the ``plots`` extra) is imported only there
(Agg canvas, no pyplot state), the PNGs embedded as base64 so the page travels
alone.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from vqa_core.errors import OutputError

if TYPE_CHECKING:
    from vqa_core.evaluation.run import Evaluation

__all__ = ["HEADINGS", "markdown_table", "write_report", "REPORT_SUFFIX"]

REPORT_SUFFIX: Final = ".html"
HEADINGS: Final = ("test set", "n", "SROCC", "KROCC", "PLCC", "PLCC (logistic)", "RMSE")
_METRICS: Final = ("srocc", "krocc", "plcc", "plcc_logistic", "rmse")


def _cell(row: dict[str, Any], metric: str) -> str:
    value = row.get(metric)
    if value is None:
        return "n/a"
    band = row.get(f"{metric}_iqr") or row.get(f"{metric}_ci")
    digits = 2 if metric == "rmse" else 3
    text = f"{value:.{digits}f}"
    if band is not None:
        text += f" [{band[0]:.{digits}f}, {band[1]:.{digits}f}]"
    return text


def cells(row: dict[str, Any]) -> list[str]:
    return [str(row["test_set"]), f"{row['n']:,}", *(_cell(row, m) for m in _METRICS)]


def markdown_table(document: dict[str, Any]) -> str:
    """The results as a Markdown table, with one line saying what the brackets hold."""
    lines = [
        "| " + " | ".join(HEADINGS) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(HEADINGS) - 1)) + "|",
    ]
    lines += ["| " + " | ".join(cells(row)) + " |" for row in document["results"]]
    if document["protocol"] == "repeated-holdout":
        what = f"median over {document['options']['repeats']} grouped random splits [interquartile range]"
    else:
        over = "content groups" if document["grouped"] else "rows"
        what = f"[95 % bootstrap interval over {over}]"
    grouping = "grouped by content" if document["grouped"] else "NOT grouped by content"
    lines.append("")
    lines.append(f"{document['protocol']}, {grouping}, seed {document['seed']}; metrics on 0-100; {what}")
    return "\n".join(lines)


def _scatter(name: str, predicted: Any, observed: Any, logistic: dict[str, Any] | None) -> bytes:
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.2, 4.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    axes.scatter(predicted, observed, s=8, alpha=0.5, linewidths=0)
    if logistic and logistic.get("converged") and logistic.get("params"):
        from vqa_core.evaluation.metrics import LogisticFit

        fit = LogisticFit(params=tuple(logistic["params"]), converged=True, reason=None)
        grid = np.linspace(float(np.min(predicted)), float(np.max(predicted)), 200)
        axes.plot(grid, fit.apply(grid), color="black", linewidth=1)
    axes.set_xlabel("predicted MOS (0-100)")
    axes.set_ylabel("subjective MOS (0-100)")
    axes.set_title(name, fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def write_report(evaluation: Evaluation, path: Path) -> None:
    """The HTML report: the table, then one scatter plot per test set."""
    from vqa_core.fsutil import atomic_write_bytes, output_error

    if path.suffix.lower() != REPORT_SUFFIX:
        raise OutputError(f"--out {path} must end in {REPORT_SUFFIX}")
    from vqa_core.extras import require

    require("matplotlib", "vqa evaluate --out", "plots")
    document = evaluation.document
    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADINGS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells(row)) + "</tr>"
        for row in document["results"]
    )
    figures = []
    for row in document["results"]:
        name = str(row["test_set"])
        if name not in evaluation.points:
            continue
        predicted, observed = evaluation.points[name]
        png = _scatter(name, predicted, observed, row.get("logistic"))
        figures.append(
            f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}"><figcaption>{html.escape(name)}</figcaption></figure>'
        )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in document["notes"])
    caption = markdown_table(document).rsplit("\n", 1)[-1]
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>vqa evaluate</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}figure{display:inline-block}"
        "</style></head><body>"
        f"<h1>Evaluation: {html.escape(document['protocol'])}</h1>"
        f"<p>{html.escape(caption)}</p><table><tr>{head}</tr>{body}</table>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + "".join(figures)
        + "</body></html>\n"
    )
    try:
        atomic_write_bytes(path, page.encode())
    except OSError as exc:
        raise output_error(path, exc) from None
