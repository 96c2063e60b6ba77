"""Every environment variable vqa reads, in one place.

Read at call time, never at import time, so tests and long-lived processes see
changes.
"""

from __future__ import annotations

import os
from typing import Final

__all__ = [
    "DISABLE_PLUGINS",
    "LOAD_PLUGINS",
    "STRICT_PLUGINS",
    "SOURCE_DATE_EPOCH",
    "DEBUG",
    "DASK_SCHEDULER",
    "PROGRESS_INTERVAL",
    "base_url_variable",
    "name_list",
    "normalise_name",
    "flag",
]

#: Comma-separated distribution names whose ``vqa.corpora`` entry points are skipped.
DISABLE_PLUGINS: Final = "VQA_DISABLE_PLUGINS"
#: When set, only these distributions are loaded (comma-separated; empty = none).
LOAD_PLUGINS: Final = "VQA_LOAD_PLUGINS"
#: ``1`` makes any broken plugin a fatal error (same as ``--strict``).
STRICT_PLUGINS: Final = "VQA_STRICT_PLUGINS"
#: Seconds since the epoch; fixes every timestamp vqa writes (reproducible builds).
SOURCE_DATE_EPOCH: Final = "SOURCE_DATE_EPOCH"
#: ``1`` prints the traceback of an internal error.
DEBUG: Final = "VQA_DEBUG"
#: Address of a Dask scheduler for ``--executor dask``.
DASK_SCHEDULER: Final = "VQA_DASK_SCHEDULER"
#: Seconds between two progress lines when stderr is not a terminal (default 10; 0: every update).
PROGRESS_INTERVAL: Final = "VQA_PROGRESS_INTERVAL"


def base_url_variable(corpus_id: str) -> str:
    """``VQA_<CORPUS>_BASE_URL`` for a corpus id (``konvid-1k`` → ``VQA_KONVID_1K_BASE_URL``)."""
    return "VQA_" + corpus_id.upper().replace("-", "_") + "_BASE_URL"


def name_list(variable: str) -> frozenset[str] | None:
    """A comma-separated variable as normalised distribution names; ``None`` when unset."""
    raw = os.environ.get(variable)
    if raw is None:
        return None
    return frozenset(normalise_name(n) for n in raw.split(",") if n.strip())


def normalise_name(name: str) -> str:
    """PEP 503 normalisation, so ``vqa_konvid`` and ``VQA-KonViD`` name the same distribution."""
    import re

    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def flag(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() in {"1", "true", "yes", "on"}
