"""The parameter-set parsers on hand-made headers, and on arbitrary bytes (hypothesis).

Agreement with FFmpeg on real encodings is tested in tests/core/ingest/test_probe_headers.py.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vqa_core.codecheaders import Container, pixel_format
from vqa_core.codecheaders.av1 import parse_av1c
from vqa_core.codecheaders.bits import BitReader, Unsettled
from vqa_core.codecheaders.h264 import parse_sps as parse_h264
from vqa_core.codecheaders.h264 import sps_nals
from vqa_core.codecheaders.hevc import parse_sps as parse_hevc
from vqa_core.codecheaders.pixfmt import yuv_name
from vqa_core.codecheaders.vp9 import parse_frame_header

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Beginnings that get past each parser's first check, so the fuzz reaches the deeper fields.
PREFIXES = {
    "h264": [b"", b"\x67", b"\x00\x00\x00\x01\x67\x64", b"\x01\x64\x00\x1f\xff\xe1\x00\x20\x67\x64"],
    "hevc": [
        b"",
        b"\x42\x01",
        b"\x00\x00\x01\x42\x01\x01",
        b"\x01" + bytes(21) + b"\x01\xa1\x00\x01\x00\x30",
    ],
    "vp9": [b"", b"\x82\x49\x83\x42", b"\x92\x49\x83\x42", b"\xa2\x49\x83\x42\x00"],
    "av1": [b"", b"\x81", b"\x81\x00\x0c"],
}


def _bits(*fields: tuple[int, int]) -> bytes:
    """Big-endian bit fields ``(value, width)``, padded to whole bytes with a stop bit."""
    value, size = 0, 0
    for v, width in fields:
        value, size = (value << width) | v, size + width
    value, size = (value << 1) | 1, size + 1
    pad = -size % 8
    return (value << pad).to_bytes((size + pad) // 8, "big")


def _ue(n: int) -> tuple[int, int]:
    code = n + 1
    return code, 2 * code.bit_length() - 1


def test_bit_reader_reads_exp_golomb_and_stops_at_the_end() -> None:
    r = BitReader(_bits(_ue(0), _ue(4), (0b101, 3)))
    assert (r.ue(), r.ue(), r.u(3)) == (0, 4, 0b101)
    with pytest.raises(Unsettled):
        r.u(16)
    with pytest.raises(Unsettled):
        BitReader(b"\x00" * 8).ue()  # more than 32 leading zeros


def test_h264_high10_422_full_range_sps() -> None:
    sps = b"\x67" + _bits(
        (122, 8), (0, 8), (31, 8),  # profile High 4:2:2, flags, level
        _ue(0), _ue(2), _ue(2), _ue(2), (0, 1), (0, 1),  # sps id, 4:2:2, 10-bit, 10-bit, bypass, no matrices
        _ue(0), _ue(2), _ue(1), (0, 1), _ue(3), _ue(3),  # frame num, POC type 2, refs, gaps, size
        (1, 1), (1, 1), (0, 1),  # frame_mbs_only, direct 8x8, no cropping
        (1, 1), (0, 1), (0, 1), (1, 1), (5, 3), (1, 1), (0, 1),  # VUI: full range, no colour description
    )  # fmt: skip
    parsed = parse_h264(sps)
    assert (parsed.chroma_format_idc, parsed.bit_depth, parsed.full_range) == (2, 10, True)
    avcc = b"\x01\x7a\x00\x1f\xff\xe1" + len(sps).to_bytes(2, "big") + sps + b"\x00"
    assert list(sps_nals(avcc)) == [sps]
    assert pixel_format("h264", avcc) == "yuv422p10le"
    assert pixel_format("h264", b"", b"\x00\x00\x00\x01" + sps + b"\x00\x00\x01\x68") == "yuv422p10le"


def test_vp9_key_frame_headers() -> None:
    profile0 = _bits((2, 2), (0, 1), (0, 1), (0, 1), (0, 1), (1, 1), (0, 1), (0x498342, 24), (1, 3), (0, 1))
    assert pixel_format("vp9", b"", profile0) == "yuv420p"
    # profile 2, 12-bit; profile 1, 4:4:4
    profile2 = _bits(
        (2, 2), (0, 1), (1, 1), (0, 1), (0, 1), (1, 1), (0, 1), (0x498342, 24), (1, 1), (2, 3), (0, 1)
    )
    assert parse_frame_header(profile2).bit_depth == 12
    profile1 = _bits(
        (2, 2), (1, 1), (0, 1), (0, 1), (0, 1), (1, 1), (0, 1), (0x498342, 24), (1, 3), (0, 1), (0, 1), (0, 1)
    )
    assert pixel_format("vp9", b"", profile1) == "yuv444p"
    inter = _bits((2, 2), (0, 1), (0, 1), (0, 1), (1, 1))
    assert pixel_format("vp9", b"", inter) is None


def test_av1c_record() -> None:
    assert pixel_format("av1", b"\x81\x00\x0c\x00") == "yuv420p"  # 8-bit 4:2:0
    assert pixel_format("av1", b"\x81\x00\x4c\x00") == "yuv420p10le"
    assert pixel_format("av1", b"\x81\x00\x1c\x00") == "gray"
    assert pixel_format("av1", b"\x81\x00\x00\x00") is None  # 4:4:4: may be RGB
    assert parse_av1c(b"\x81\x20\x68\x00").bit_depth == 12


def test_ffmpeg_names() -> None:
    assert yuv_name(depth=8, sub_x=1, sub_y=1, full_range=True) == "yuvj420p"
    assert yuv_name(depth=10, sub_x=1, sub_y=1, full_range=True) == "yuv420p10le"
    assert yuv_name(depth=12, sub_x=0, sub_y=0) == "yuv444p12le"
    assert yuv_name(depth=8, sub_x=0, sub_y=0, rgb=True) == "gbrp"
    assert yuv_name(depth=11, sub_x=1, sub_y=1) is None
    assert pixel_format("mpeg4", b"\x00\x00\x01\xb0") is None
    assert pixel_format("h264", b"", None, Container(full_range=True)) is None


@FUZZ
@given(st.sampled_from(sorted(PREFIXES)), st.data(), st.binary(max_size=512))
def test_arbitrary_bytes_never_raise(codec: str, data: st.DataObject, tail: bytes) -> None:
    head = data.draw(st.sampled_from(PREFIXES[codec]))
    blob = head + tail
    full = data.draw(st.booleans())
    for extradata, packet in ((blob, None), (b"", blob), (blob, blob)):
        result = pixel_format(codec, extradata, packet, Container(full_range=full))
        assert result is None or isinstance(result, str)


@FUZZ
@given(st.binary(max_size=1024))
def test_each_parser_raises_only_unsettled(blob: bytes) -> None:
    for parse in (parse_h264, parse_hevc, parse_frame_header, parse_av1c):
        with contextlib.suppress(Unsettled):
            parse(blob)


def test_huge_inputs_are_cut() -> None:
    blob = b"\x67\x64" + b"\xff" * (1 << 22)
    assert pixel_format("h264", blob) is None
    assert pixel_format("hevc", b"\x00\x00\x01" * (1 << 20)) is None
