"""Every result document, and reading one back strictly.

Every document is an object with ``command`` and ``schema`` keys (``corpora list`` alone
prints an array, as it always has); :data:`RESULTS` names each one, and
:func:`parse_result` reads a document back strictly (a key the schema does not name, or
one it needs and does not find, is refused), as the tests do with every command's stdout.
"""

from __future__ import annotations

from typing import Any, Final

from vqa_core.cli.results.acquire import FetchResult, IngestGridResult, IngestResult, SampleResult
from vqa_core.cli.results.base import Result
from vqa_core.cli.results.corpora import CorpusEntry, CorpusInfoResult, PluginEntry
from vqa_core.cli.results.demo import DemoResult
from vqa_core.cli.results.failure import ErrorResult
from vqa_core.cli.results.learn import (
    EvaluateResult,
    FeaturesResult,
    LabelsResult,
    PredictResult,
    TrainResult,
)
from vqa_core.cli.results.tables import (
    AggregateResult,
    ExportResult,
    MergeGridResult,
    ReportResult,
    VerifyResult,
)
from vqa_core.documents import converter

__all__ = ["RESULTS", "Result", "ErrorResult", "strict_converter", "parse_result", "parse_corpora_list"]

#: Every result document, in the order of a pipeline.
RESULTS: Final[tuple[type[Result], ...]] = (
    FetchResult,
    SampleResult,
    IngestResult,
    IngestGridResult,
    AggregateResult,
    MergeGridResult,
    VerifyResult,
    ReportResult,
    ExportResult,
    FeaturesResult,
    LabelsResult,
    TrainResult,
    PredictResult,
    EvaluateResult,
    CorpusInfoResult,
    DemoResult,
    ErrorResult,
)

_BY_SCHEMA: Final = {cls.SCHEMA: cls for cls in RESULTS}

#: The document converter, refusing keys a class does not name (vqa's own readers accept
#: them, so that an older vqa reads what a newer one wrote; a test of the writer must not).
strict_converter: Final = converter.copy(forbid_extra_keys=True)


def _null(value: Any, _: type) -> None:
    """A key that is always ``null`` (a plugin entry's corpus facts)."""
    if value is not None:
        raise TypeError(f"expected null, got {value!r}")


strict_converter.register_structure_hook(type(None), _null)


def parse_result(document: Any) -> Result:
    """``document`` (a parsed JSON value) as the result class its ``schema`` names.

    Raises :class:`ValueError` for a value that is not an object, a missing or unknown
    ``schema`` or ``command``, and :class:`cattrs.BaseValidationError` for any key that is
    missing, extra or of the wrong type.
    """
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, got {type(document).__name__}")
    schema, command = document.get("schema"), document.get("command")
    cls = _BY_SCHEMA.get(schema) if isinstance(schema, str) else None
    if cls is None:
        raise ValueError(f"unknown schema {schema!r}")
    if not isinstance(command, str) or (cls is not ErrorResult and command != cls.COMMAND):
        raise ValueError(f"schema {schema} is written by {cls.COMMAND!r}, not {command!r}")
    return strict_converter.structure(document, cls)


def parse_corpora_list(document: Any) -> list[CorpusEntry | PluginEntry]:
    """The array ``vqa corpora list --json`` prints, read strictly: an entry with an ``id`` is a
    :class:`CorpusEntry`, one without a :class:`PluginEntry`."""
    if not isinstance(document, list):
        raise ValueError(f"expected a JSON array, got {type(document).__name__}")
    entries: list[CorpusEntry | PluginEntry] = []
    for entry in document:
        kind: type[CorpusEntry | PluginEntry] = (
            CorpusEntry if isinstance(entry, dict) and entry.get("id") is not None else PluginEntry
        )
        entries.append(strict_converter.structure(entry, kind))
    return entries
