from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vqa_core.data.sampling import crop_box, resized_size, stride_indices, stride_start, uniform_indices


def test_uniform_takes_segment_centres() -> None:
    assert uniform_indices(80, 8) == (5, 15, 25, 35, 45, 55, 65, 75)
    assert uniform_indices(9, 1) == (4,)


def test_uniform_on_a_short_clip_repeats_frames_evenly() -> None:
    assert uniform_indices(5, 8) == (0, 0, 1, 2, 2, 3, 4, 4)
    assert uniform_indices(1, 4) == (0, 0, 0, 0)


@given(st.integers(1, 5000), st.integers(1, 64))
def test_uniform_is_in_range_ordered_and_spans_the_clip(n_frames: int, count: int) -> None:
    indices = uniform_indices(n_frames, count)
    assert len(indices) == count
    assert all(0 <= i < n_frames for i in indices)
    assert list(indices) == sorted(indices)
    if count <= n_frames:
        assert len(set(indices)) == count
        # every slot lies inside its own segment of the clip
        assert all(k * n_frames // count <= i < (k + 1) * n_frames / count for k, i in enumerate(indices))


@given(
    st.integers(1, 5000), st.integers(1, 32), st.integers(1, 16), st.integers(0, 2**32), st.integers(0, 10**6)
)
def test_stride_window_fits_the_clip(n_frames: int, count: int, stride: int, seed: int, index: int) -> None:
    start = stride_start(n_frames, count, stride, seed, index)
    indices = stride_indices(n_frames, count, stride, start)
    assert len(indices) == count
    if (count - 1) * stride < n_frames:
        assert indices == tuple(start + k * stride for k in range(count))
        assert indices[-1] < n_frames
    else:
        assert start == 0
        assert indices[-1] == n_frames - 1


def test_stride_start_depends_on_seed_and_index_only() -> None:
    starts = {stride_start(1000, 8, 2, 7, i) for i in range(50)}
    assert len(starts) > 40  # spread over the 986 possible starts
    assert [stride_start(1000, 8, 2, 7, i) for i in range(5)] == [
        stride_start(1000, 8, 2, 7, i) for i in range(5)
    ]
    assert [stride_start(1000, 8, 2, 7, i) for i in range(5)] != [
        stride_start(1000, 8, 2, 8, i) for i in range(5)
    ]


def test_stride_past_the_end_repeats_the_last_frame() -> None:
    assert stride_indices(5, 8, 2, 0) == (0, 2, 4, 4, 4, 4, 4, 4)


def test_resize_keeps_the_aspect_and_sets_the_short_side() -> None:
    assert resized_size(1280, 720, 112) == (199, 112)
    assert resized_size(180, 320, 90) == (90, 160)
    assert resized_size(500, 500, 64) == (64, 64)
    assert resized_size(320, 180, None) == (320, 180)


def test_crop_is_centred_and_refuses_a_frame_too_small() -> None:
    assert crop_box(199, 112, (112, 112)) == (43, 0, 112, 112)
    assert crop_box(90, 160, (64, 80)) == (5, 48, 80, 64)
    assert crop_box(64, 48, None) == (0, 0, 64, 48)
    assert crop_box(64, 48, (56, 56)) is None


def test_sizes_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="count must be at least 1"):
        uniform_indices(10, 0)
