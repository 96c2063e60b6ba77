"""A bounded MSB-first bit reader for codec parameter sets.

Every read past the end, and every Exp-Golomb code longer than 32 bits, raises
:class:`Unsettled`: the parsers above turn it into "the headers do not say".
"""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_HEADER_BYTES", "BitReader", "Unsettled", "unescape"]

#: No parameter set is this large; longer inputs are cut so a parse stays bounded.
MAX_HEADER_BYTES: Final = 1 << 16


class Unsettled(Exception):
    """The bytes do not settle the question (cut short, malformed or a feature not handled)."""


def unescape(nal: bytes) -> bytes:
    """Remove H.264/HEVC emulation-prevention bytes (``00 00 03`` → ``00 00``)."""
    return nal[:MAX_HEADER_BYTES].replace(b"\x00\x00\x03", b"\x00\x00")


class BitReader:
    def __init__(self, data: bytes) -> None:
        data = data[:MAX_HEADER_BYTES]
        self._value = int.from_bytes(data, "big")
        self._size = len(data) * 8
        self._pos = 0

    def u(self, n: int) -> int:
        """``n`` bits as an unsigned integer."""
        if n < 0 or self._pos + n > self._size:
            raise Unsettled("read past the end")
        self._pos += n
        return (self._value >> (self._size - self._pos)) & ((1 << n) - 1)

    def flag(self) -> bool:
        return self.u(1) == 1

    def skip(self, n: int) -> None:
        self.u(n) if n <= 64 else self._skip_long(n)

    def _skip_long(self, n: int) -> None:
        if self._pos + n > self._size:
            raise Unsettled("read past the end")
        self._pos += n

    def ue(self) -> int:
        """An unsigned Exp-Golomb code."""
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 32:
                raise Unsettled("Exp-Golomb code too long")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        """A signed Exp-Golomb code."""
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)
