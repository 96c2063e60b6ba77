"""What every ``--json`` document shares: the ``command`` and ``schema`` keys, and field docs.

The attrs classes of this package are the schema of the documents: each field says what
it holds in its ``doc`` metadata, and docs/cli.md is generated from them
(:mod:`vqa_core.cli.results.reference`).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import attrs

__all__ = ["Result", "doc", "DOC", "from_plain"]

T = TypeVar("T")

#: Metadata key of a field's one-line description.
DOC = "doc"


def doc(text: str) -> dict[str, str]:
    """Field metadata: what the field holds, for the reference page."""
    return {DOC: text}


def _command(self: Any) -> str:
    return str(type(self).COMMAND)


def _schema(self: Any) -> str:
    return str(type(self).SCHEMA)


# why: without slots, so that a document can also derive from another attrs class
# (`corpora info` is a `corpora list` entry and a result)
@attrs.frozen(kw_only=True, slots=False)
class Result:
    """The envelope: which command wrote the document, and which schema it follows.

    A subclass names both in ``COMMAND`` and ``SCHEMA``; they fill the two keys.
    """

    COMMAND: ClassVar[str] = ""
    SCHEMA: ClassVar[str] = ""

    command: str = attrs.field(
        default=attrs.Factory(_command, takes_self=True),
        metadata=doc("the command, as typed after `vqa` (`ingest`, `features extract`, …)"),
    )
    schema: str = attrs.field(
        default=attrs.Factory(_schema, takes_self=True),
        metadata=doc("the document's schema and version; a script dispatches on it"),
    )


def from_plain(value: Any, cls: type[T]) -> T:
    """A document part from the plain data a job reports (tuples, paths and all)."""
    from vqa_core.documents import converter, json_safe

    return converter.structure(json_safe(value), cls)
