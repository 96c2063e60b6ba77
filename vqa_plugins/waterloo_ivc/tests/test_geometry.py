from __future__ import annotations

import pytest
from vqa_waterloo_ivc.geometry import (
    DEFAULT_FRAMERATE,
    DEFAULT_PIX_FMT,
    FRAMERATE_VARIABLE,
    PIX_FMT_VARIABLE,
    RawDefaults,
    parse_framerate,
    size_for_token,
)

from vqa_core.errors import UsageError


@pytest.mark.parametrize(
    ("token", "size"),
    [
        ("540p", (960, 540)),
        ("1080p", (1920, 1080)),
        ("2160p", (3840, 2160)),
        ("2160P", (3840, 2160)),
        ("4K", (3840, 2160)),
        ("uhd", (3840, 2160)),
        ("1080", (1920, 1080)),
        (" 540p ", (960, 540)),
        ("720p", (1280, 720)),
        ("144p", (256, 144)),
        ("90p", (160, 90)),
        ("3840x2160", (3840, 2160)),
        ("160X90", (160, 90)),
    ],
)
def test_published_and_generic_tokens_map_to_sizes(token: str, size: tuple[int, int]) -> None:
    assert size_for_token(token) == size


@pytest.mark.parametrize("token", ["", "HD", "p", "100p", "0p", "0x10", "abc", "540i", "-540p"])
def test_tokens_without_a_size_give_none(token: str) -> None:
    # 100p is not 16:9 with whole pixels (16·100/9 is not a whole number)
    assert size_for_token(token) is None


def test_defaults_are_the_documented_assumptions() -> None:
    defaults = RawDefaults.from_environment()
    assert (defaults.pix_fmt, defaults.framerate, defaults.overridden) == (
        DEFAULT_PIX_FMT,
        DEFAULT_FRAMERATE,
        False,
    )
    hints = defaults.hints((960, 540))
    assert (hints.width, hints.height, hints.pix_fmt, hints.framerate) == (960, 540, "yuv420p", 30.0)


def test_environment_overrides_pixel_format_and_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PIX_FMT_VARIABLE, "yuv420p10le")
    monkeypatch.setenv(FRAMERATE_VARIABLE, "60000/1001")
    defaults = RawDefaults.from_environment()
    assert defaults.overridden
    assert defaults.pix_fmt == "yuv420p10le"
    assert defaults.framerate == pytest.approx(59.94, abs=1e-3)
    # a per-row value still wins over the environment
    assert defaults.hints((16, 16), pix_fmt="yuv422p", framerate=25.0).pix_fmt == "yuv422p"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (PIX_FMT_VARIABLE, "yuv9000", "not a pixel format"),
        (FRAMERATE_VARIABLE, "fast", "not a frame rate"),
        (FRAMERATE_VARIABLE, "-25", "not a positive frame rate"),
        (FRAMERATE_VARIABLE, "1/0", "not a frame rate"),
    ],
)
def test_bad_overrides_are_usage_errors(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(UsageError, match=expected) as info:
        RawDefaults.from_environment()
    assert variable in str(info.value)


def test_parse_framerate_accepts_decimals_and_fractions() -> None:
    assert parse_framerate("29.97") == pytest.approx(29.97)
    assert parse_framerate("30000/1001") == pytest.approx(29.97002997)
    assert parse_framerate(" 30 ") == 30.0
