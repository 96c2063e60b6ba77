"""JSON documents vqa writes and reads back: attrs classes are their schema, and one cattrs
converter turns them into JSON values and back.

Writing (:func:`document_bytes`, :func:`write_document`): the object is unstructured (paths
become text; fields of an :func:`omit_none` class that are ``None`` are left out), then
orjson writes it with keys sorted, two-space indent and a trailing newline; non-finite
floats become ``null``, tuples arrays.

Reading (:func:`load_json`, :func:`structure_document`) is strict: a string where a number
belongs, a list where an object belongs or a missing field is refused in one line naming
the file and the first wrong place as a JSONPath (``$.model.sha256``). Keys a class does
not name are ignored, so a reader accepts what a newer writer added.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NewType, TypeVar, get_origin

import attrs
import cattrs
import orjson
from attrs import AttrsInstance
from cattrs.cols import list_structure_factory
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, make_mapping_structure_fn, override
from cattrs.strategies import configure_union_passthrough

from vqa_core.errors import DocumentError
from vqa_core.fsutil import atomic_write_bytes

__all__ = [
    "Timestamp",
    "converter",
    "omit_none",
    "json_safe",
    "document_bytes",
    "write_document",
    "load_json",
    "structure_document",
]

T = TypeVar("T")
A = TypeVar("A", bound=AttrsInstance)

#: An ISO 8601 time with its offset, kept as the text that was written (never re-formatted,
#: so a document reads back and writes again to the same bytes).
Timestamp = NewType("Timestamp", str)

converter: Final = cattrs.Converter()


def _strict(kind: type, wanted: str) -> Callable[[Any, type], Any]:
    """A structure hook that takes JSON's own type for ``kind`` and nothing else (no ``"1"``
    for 1, no ``true`` for 1; an integer is also a number)."""

    def structure(value: Any, _: type) -> Any:
        ok = isinstance(value, int | float) if kind is float else isinstance(value, kind)
        if not ok or (kind is not bool and isinstance(value, bool)):
            raise TypeError(f"expected {wanted}, got {_short(value)}")
        return value  # an integer stays one where a float is typed: it writes back the same

    return structure


for _kind, _wanted in ((str, "a string"), (int, "an integer"), (float, "a number"), (bool, "true or false")):
    converter.register_structure_hook(_kind, _strict(_kind, _wanted))
configure_union_passthrough(str | int | float | bool | None, converter)


def _structure_timestamp(value: Any, _: type) -> Timestamp:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 time, got {_short(value)}")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"expected an ISO 8601 time, got {_short(value)}") from None
    if moment.tzinfo is None:
        raise ValueError(f"expected an ISO 8601 time with its UTC offset, got {_short(value)}")
    return Timestamp(value)


def _structure_path(value: Any, _: type) -> Path:
    if not isinstance(value, str):
        raise TypeError(f"expected a path, got {_short(value)}")
    return Path(value)


converter.register_structure_hook(Timestamp, _structure_timestamp)
converter.register_structure_hook(Path, _structure_path)
converter.register_unstructure_hook(Path, str)


def _json_shape(make: Callable[[Any, cattrs.Converter], Any], shape: type, wanted: str) -> Any:
    """A structure hook factory that refuses anything but a JSON ``shape`` before cattrs's own
    hook runs: cattrs turns any iterable into a list (a string into its letters) and reads an
    object's fields from anything indexable."""

    def factory(kind: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
        inner = make(kind, conv)

        def structure(value: Any, _: Any) -> Any:
            if not isinstance(value, shape):
                raise TypeError(f"expected {wanted}, got {_short(value)}")
            return inner(value, kind)

        return structure

    return factory


def _is_list(kind: Any) -> bool:
    return get_origin(kind) is list


def _is_dict(kind: Any) -> bool:
    return get_origin(kind) is dict


converter.register_structure_hook_factory(_is_list, _json_shape(list_structure_factory, list, "a list"))
converter.register_structure_hook_factory(_is_dict, _json_shape(make_mapping_structure_fn, dict, "an object"))
converter.register_structure_hook_factory(attrs.has, _json_shape(make_dict_structure_fn, dict, "an object"))


def omit_none(cls: type[A]) -> type[A]:
    """Class decorator: leave the fields whose default is ``None`` out of the JSON when they
    are ``None`` (an optional key is absent, not ``null``)."""
    optional: dict[str, Any] = {
        a.name: override(omit_if_default=True) for a in attrs.fields(cls) if a.default is None
    }
    converter.register_unstructure_hook_factory(
        lambda kind: kind is cls, lambda kind: make_dict_unstructure_fn(kind, converter, **optional)
    )
    return cls


def json_safe(value: Any) -> Any:
    """Paths to strings, tuples to lists, non-finite floats to ``None`` (strict JSON)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # the common leaves, without the cost of ABC checks
    if kind is dict:
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [json_safe(v) for v in value]
    return value


def document_bytes(document: object) -> bytes:
    """The bytes of a document (an attrs object, or a mapping of plain values): sorted keys,
    indent 2, newline."""
    # why: a plain mapping skips the converter, which costs 3x json_safe on a large manifest
    plain = converter.unstructure(document) if attrs.has(type(document)) else document
    return orjson.dumps(json_safe(plain), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def write_document(path: Path, document: object) -> None:
    """Write ``document`` to ``path`` atomically."""
    atomic_write_bytes(path, document_bytes(document))


def load_json(path: Path, *, what: str) -> Any:
    """The JSON value in ``path``; a :class:`DocumentError` (``{what} {path} …``) when the file
    cannot be read or is not JSON."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{what} {path} does not exist", path=str(path)) from None
    except OSError as exc:
        raise DocumentError(f"{what} {path}: cannot read ({exc.strerror or exc})", path=str(path)) from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise DocumentError(f"{what} {path} is not valid JSON: {exc}", path=str(path)) from None


def structure_document(value: Any, cls: type[T], *, path: Path, what: str) -> T:
    """``value`` (a document read from ``path``) as ``cls``; a :class:`DocumentError` naming the
    file and the first place that does not match, e.g.
    ``sidecar m.json is not valid at $.model.sha256: missing``."""
    if not isinstance(value, dict):
        raise DocumentError(
            f"{what} {path} is not valid: expected a JSON object, got {_short(value)}", path=str(path)
        )
    try:
        return converter.structure(value, cls)
    except cattrs.BaseValidationError as exc:
        problems = cattrs.transform_error(exc, path="$", format_exception=_problem)
        problem, _, where = problems[0].rpartition(" @ ")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DocumentError(
            f"{what} {path} is not valid at {where}: {problem}{more}", path=str(path)
        ) from None


def _problem(exc: BaseException, kind: type | None) -> str:
    """One problem in words (cattrs appends `` @ $.where``)."""
    if isinstance(exc, KeyError):
        return "missing"
    if isinstance(exc, TypeError | ValueError) and str(exc).startswith("expected "):
        return str(exc)
    name = getattr(kind, "__name__", None) or str(kind)
    return f"expected {'an object' if kind is not None and attrs.has(kind) else name}"


def _short(value: object, limit: int = 40) -> str:
    text = "null" if value is None else repr(value)
    if isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list):
        text = "a list"
    return text if len(text) <= limit else text[: limit - 1] + "…"
