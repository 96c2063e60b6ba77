"""What a feature schema is: a named, ordered set of features a MOS head reads.

A contract type like the corpus declaration: plugins declare schemas of their own
(``vqa_feature_schemas``), and :mod:`vqa_core.train.schemas` holds core's and
resolves a name to the schema and to who answers for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import attrs

__all__ = ["FeatureSchema", "FEATURE_SCHEMA_NAME_PATTERN"]

#: A schema name as sidecars record it: lower case letters, digits, ``-`` and ``.``.
FEATURE_SCHEMA_NAME_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$")


def _names(value: Iterable[str]) -> tuple[str, ...]:
    # why: tuple("adm2") would silently become four one-letter features
    if isinstance(value, str):
        raise ValueError(f"features must be a sequence of names, not the string {value!r}")
    return tuple(value)


def _schema_name(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not FEATURE_SCHEMA_NAME_PATTERN.match(value):
        raise ValueError(f"feature schema name {value!r} must match {FEATURE_SCHEMA_NAME_PATTERN.pattern}")


def _feature_list(_: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    bad = [name for name in value if not isinstance(name, str) or not name.strip() or name != name.strip()]
    if bad:
        raise ValueError(f"{attribute.name} must be non-empty names without blanks, got {bad!r}")
    repeated = sorted({name for name in value if value.count(name) > 1})
    if repeated:
        raise ValueError(f"{attribute.name} names {', '.join(map(repr, repeated))} more than once")


@attrs.frozen
class FeatureSchema:
    """A named, ordered set of features a MOS head reads.

    Sidecars and feature tables record the name, so a name keeps its features and
    their order for good: a changed list is a new schema with a new name.
    """

    #: ``ladder-hdr-v1``: lower case letters, digits, ``-`` and ``.``.
    name: str = attrs.field(validator=_schema_name)
    #: The features, in the order the model reads them.
    features: tuple[str, ...] = attrs.field(converter=_names, validator=_feature_list)
    #: Features the declaring plugin derives from a row's published columns
    #: (``vqa_derive_features``) when the row has neither the column nor ``<name>_mean``.
    derived: tuple[str, ...] = attrs.field(default=(), converter=_names, validator=_feature_list)
    #: Features of the display the clips are watched on: the row's own display columns
    #: (``vqa_derive_features``), else the display profile (``vqa_display_profile``).
    #: A schema with display features is the only kind ``--display-profile`` applies to.
    display: tuple[str, ...] = attrs.field(default=(), converter=_names, validator=_feature_list)

    def __attrs_post_init__(self) -> None:
        if not self.features:
            raise ValueError(f"feature schema {self.name!r} has no features")
        stray = [n for n in (*self.derived, *self.display) if n not in self.features]
        if stray:
            raise ValueError(f"feature schema {self.name!r}: {stray!r} are not among its features")
        both = [n for n in self.derived if n in self.display]
        if both:
            raise ValueError(f"feature schema {self.name!r}: {both!r} are both derived and display features")
