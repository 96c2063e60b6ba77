"""A display-profile file, read for a schema with display features.

A display profile is a JSON object describing the display clips are watched on.
Core reads the file and records it (path, sha256, the feature values) in the
model sidecar; which fields it may hold and how they become the schema's display
features is for the plugin that declared the schema (``vqa_display_profile``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from vqa_core.errors import UsageError
from vqa_core.fsutil import sha256_file

if TYPE_CHECKING:
    from vqa_core.train.schemas import ResolvedSchema

__all__ = ["load_display_profile", "read_profile_document", "PROFILE_SCHEMA"]

PROFILE_SCHEMA: Final = "vqa-display-profile-v1"


def read_profile_document(path: Path) -> dict[str, Any]:
    """The JSON object of a display-profile file; a missing or malformed file is a usage error."""
    try:
        doc = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise UsageError(f"display profile {path} does not exist") from None
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"display profile {path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"display profile {path} must be a JSON object")
    return doc


def load_display_profile(path: Path, schema: ResolvedSchema) -> dict[str, Any]:
    """``{schema, source_path, sha256, feature_values}`` of a display-profile JSON file, its
    values as the plugin that declared ``schema`` reads them."""
    values = schema.display_values(read_profile_document(path))
    if not values:
        raise UsageError(f"display profile {path} did not contain any recognised display fields")
    return {
        "schema": PROFILE_SCHEMA,
        "source_path": str(path),
        "sha256": sha256_file(path),
        "feature_values": values,
    }
