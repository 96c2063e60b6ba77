"""The installed entry points of vqa's plugin group, and their distributions' names and versions,
read without parsing what is not needed.

:func:`importlib.metadata.entry_points` parses the entry points of every installed
distribution (about a hundred in a development environment) to select one group,
a tenth of what ``vqa corpora list`` may cost. Here a distribution's
``entry_points.txt`` is parsed only when its text names the group. Which copy of a
distribution counts is decided as the standard library decides it: the first one
of each name on ``sys.path``, so a shadowed copy contributes nothing.

A distribution's name and version come from the header of its ``METADATA``;
``Distribution.metadata`` would parse the whole file with the email parser, the
long description included, for two single-line fields.
"""

from __future__ import annotations

import importlib.metadata as md

from vqa_core.hookspecs import ENTRY_POINT_GROUP

__all__ = ["plugin_entry_points", "name_and_version"]


def plugin_entry_points(group: str = ENTRY_POINT_GROUP) -> list[md.EntryPoint]:
    """Every entry point of ``group``, as ``importlib.metadata.entry_points(group=group)`` lists them."""
    seen: set[str] = set()
    found: list[md.EntryPoint] = []
    for dist in md.distributions():
        # the key importlib.metadata deduplicates distributions by (from the folder's name)
        key = getattr(dist, "_normalized_name", None) or str(dist.metadata["Name"])
        if key in seen:
            continue
        seen.add(key)
        text = dist.read_text("entry_points.txt")
        if text and group in text:
            found.extend(dist.entry_points.select(group=group))
    return found


def name_and_version(dist: md.Distribution) -> tuple[str, str | None]:
    """``dist``'s ``Name`` and ``Version``, as ``dist.metadata["Name"]`` and ``dist.version`` give them."""
    fields: dict[str, str] = {}
    header = (dist.read_text("METADATA") or "").split("\n\n", 1)[0]
    for line in header.splitlines():
        key, colon, value = line.partition(":")
        if colon and key in ("Name", "Version"):
            fields.setdefault(key, value.strip())
    if "Name" not in fields or "Version" not in fields:  # another layout: the standard library reads it
        return str(dist.metadata["Name"]), dist.version
    return fields["Name"], fields["Version"]
