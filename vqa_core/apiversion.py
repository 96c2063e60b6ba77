"""Whether a plugin's ``vqa_plugin_api`` admits a plugin API version, decided without packaging
when the specifier is a plain one.

Every plugin states a specifier such as ``">=1,<2"``, and ``vqa corpora list``
checks each one at every run; importing :mod:`packaging.specifiers` (and compiling
its patterns) costs several milliseconds, a tenth of what the whole command may
cost. Comma-separated comparisons (``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=``)
with release numbers are decided here exactly as PEP 440 decides them for a final
release (missing parts count as zeros: ``1.2 == 1.2.0``); anything else, wildcards
and ``~=`` included, goes to packaging.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["admits"]

_RELEASE: Final = re.compile(r"\d+(?:\.\d+)*")
_CLAUSE: Final = re.compile(r"\s*(>=|<=|==|!=|<|>)\s*(\d+(?:\.\d+)*)\s*")


def admits(specifier: str, version: str) -> bool:
    """Whether ``specifier`` admits ``version``; :class:`ValueError` if it is not a specifier."""
    decided = _plain(specifier, version)
    if decided is not None:
        return decided
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return version in SpecifierSet(specifier)
    except InvalidSpecifier as exc:
        raise ValueError(str(exc)) from None


def _plain(specifier: str, version: str) -> bool | None:
    """The answer for a final release and plain comparisons, or ``None`` for packaging to give."""
    if _RELEASE.fullmatch(version) is None:
        return None
    mine = _parts(version)
    answer = True
    for clause in specifier.split(","):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            return None
        operator, number = match.groups()
        theirs = _parts(number)
        width = max(len(mine), len(theirs))
        a, b = mine + (0,) * (width - len(mine)), theirs + (0,) * (width - len(theirs))
        answer &= {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b, "!=": a != b}[operator]
    return answer


def _parts(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split("."))
