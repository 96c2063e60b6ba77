"""Where a container's own top-level sizes say the file ends (truncation without a second read).

MP4/MOV: the top-level box sizes summed (an ``mdat`` cut short declares more
bytes than the file holds); bytes after the last box that start no known box
are trailing junk, which players ignore. Matroska/WebM: the EBML header plus the Segment's
declared size. ``None`` when the container does not say (other formats, a
Matroska Segment of unknown size, a box of size 0 "to the end"): the caller
then verifies by demuxing. Reads a few bytes per top-level box, bounded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Final

__all__ = ["declared_end"]

_EBML: Final = b"\x1a\x45\xdf\xa3"
_SEGMENT: Final = b"\x18\x53\x80\x67"
#: Box types a QuickTime-family file starts with.
_MP4_FIRST: Final = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"})
#: Box types found at the top level of MP4/MOV/3GP files. Bytes after the last of them that do not
#: start one are trailing junk (players ignore it), not a box cut short.
_MP4_TOP: Final = _MP4_FIRST | {
    t.encode()
    for t in ("uuid", "moof", "mfra", "meta", "styp", "sidx", "ssix", "prft", "emsg", "pdin", "junk", "PICT")
}
#: A real file has a handful of top-level boxes; a crafted one must not loop for ever.
_MAX_BOXES: Final = 10_000


def declared_end(path: Path) -> int | None:
    """The byte offset the container declares as its end, or ``None`` when it does not say."""
    with open(path, "rb") as fh:
        head = fh.read(16)
        size = os.fstat(fh.fileno()).st_size
        if head[:4] == _EBML:
            return _matroska_end(fh)
        if head[4:8] in _MP4_FIRST:
            return _mp4_end(fh, size)
    return None


def _mp4_end(fh: BinaryIO, size: int) -> int | None:
    pos = 0
    for _ in range(_MAX_BOXES):
        if pos >= size:
            return pos
        fh.seek(pos)
        header = fh.read(16)
        if len(header) < 8 or header[4:8] not in _MP4_TOP:
            return pos  # trailing junk: the boxes before it are whole
        box = int.from_bytes(header[:4], "big")
        if box == 1:  # 64-bit size follows the type
            if len(header) < 16:
                return pos + 16
            box = int.from_bytes(header[8:16], "big")
        elif box == 0:  # the box runs to the end of the file: nothing declared
            return None
        if box < 8:
            return None
        pos += box
    return None


def _vint(data: bytes, at: int) -> tuple[int, int, bool] | None:
    """An EBML variable-length integer at ``at``: (value, next offset, all ones = unknown)."""
    if at >= len(data) or data[at] == 0:
        return None
    length = 9 - data[at].bit_length()
    if at + length > len(data):
        return None
    mask = (1 << (7 * length)) - 1
    value = int.from_bytes(data[at : at + length], "big") & mask
    return value, at + length, value == mask


def _matroska_end(fh: BinaryIO) -> int | None:
    fh.seek(0)
    data = fh.read(4096)
    header = _vint(data, 4)
    if header is None or header[2]:
        return None
    segment = header[1] + header[0]
    if data[segment : segment + 4] != _SEGMENT:
        return None
    body = _vint(data, segment + 4)
    if body is None or body[2]:  # unknown size (a live stream): the container does not say
        return None
    return body[1] + body[0]
