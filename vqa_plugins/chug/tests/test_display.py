"""Display profiles of ``chug-hdr-display-v1``: the plugin's reading rules, through the host's loader."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest
import vqa_chug
from vqa_chug.display import DISPLAY_11, derive_display

from vqa_core.errors import UsageError
from vqa_core.fsutil import sha256_file
from vqa_core.registry import Registry
from vqa_core.train.profile import load_display_profile
from vqa_core.train.schemas import ResolvedSchema, resolve_schema


@pytest.fixture(scope="module")
def schema() -> ResolvedSchema:
    registry = Registry.from_plugins([("vqa-chug", vqa_chug)], strict=True)
    return resolve_schema("chug-hdr-display-v1", registry)


def test_profile_normalisation(tmp_path: Path, schema: ResolvedSchema) -> None:
    path = tmp_path / "tv.json"
    path.write_bytes(
        orjson.dumps(
            {
                "name": "living-room tv",
                "display": {"peak_luminance_nits": 1000, "black_nits": 0.005, "ambient_lux": 25},
                "panel": {"panel_type": "QLED Mini-LED", "bt2020_coverage": 72.5, "p3_coverage": 0.95},
                "features": {"hdr_format": "HDR10+"},
            }
        )
    )
    profile = load_display_profile(path, schema)
    assert profile["schema"] == "vqa-display-profile-v1"
    assert profile["sha256"] == sha256_file(path) and profile["source_path"] == str(path)
    assert profile["feature_values"] == pytest.approx(
        {
            "display_peak_luminance_nits_norm": 0.1,
            "display_black_luminance_nits_norm": 0.005,
            "display_contrast_ratio_log_norm": math.log10(200000) / 7,
            "display_ambient_lux_norm": 0.025,
            "display_bt2020_coverage": 0.725,
            "display_p3_coverage": 0.95,
            "display_panel_oled": 0.0,
            "display_panel_qled": 1.0,
            "display_panel_lcd": 1.0,
            "display_local_dimming": 1.0,
            "display_tone_mapping_dynamic": 1.0,
        }
    )
    assert set(profile["feature_values"]) == set(DISPLAY_11) == set(schema.schema.display)


def test_direct_values_win_and_undefined_values_are_left_out() -> None:
    out = derive_display(
        {
            "display_peak_luminance_nits_norm": 0.3,
            "peak_nits": 1000,
            "panel_type": "OLED",
            "bt2020_coverage": 140,
        }
    )
    assert out == {
        "display_peak_luminance_nits_norm": 0.3,
        "display_panel_oled": 1.0,
        "display_panel_qled": 0.0,
        "display_panel_lcd": 0.0,
    }
    assert derive_display({"local_dimming": "off", "tone_mapping": "static"}) == {
        "display_local_dimming": 0.0,
        "display_tone_mapping_dynamic": 0.0,
    }


def test_bad_profiles_are_refused(tmp_path: Path, schema: ResolvedSchema) -> None:
    listing = tmp_path / "list.json"
    listing.write_bytes(b"[1, 2]")
    with pytest.raises(UsageError, match="must be a JSON object"):
        load_display_profile(listing, schema)
    empty = tmp_path / "empty.json"
    empty.write_bytes(b'{"vendor": "acme"}')
    with pytest.raises(UsageError, match="did not contain any recognised display fields"):
        load_display_profile(empty, schema)
