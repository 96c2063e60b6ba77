"""Per-frame no-reference features: pure numpy functions of one or two frames.

Every function takes frames as float arrays (float32 from the decoder, float64
in tests) on the 8-bit code-value scale (0–255; deeper sources are rescaled
before they get here): ``luma`` is H×W, ``rgb`` is H×W×3. Sums and spreads
accumulate in float64 whatever the input precision. Formulas and references are in docs/features.md; the tests
check each one on frames with known answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Frame = npt.NDArray[np.floating[Any]]

__all__ = [
    "sobel_magnitude",
    "spatial_information",
    "temporal_information",
    "colourfulness",
    "rms_contrast",
    "brightness",
    "laplacian_variance",
]


def sobel_magnitude(luma: Frame) -> Frame:
    """|∇F| with the 3×3 Sobel kernels, over the interior (a border pixel has no full neighbourhood).

    Computed separably: Gx = horizontal difference of the vertical [1, 2, 1] smoothing, Gy the
    transpose, which is the same kernel in half the arithmetic.
    """
    import numpy as np

    f = luma
    if f.shape[0] < 3 or f.shape[1] < 3:
        return np.zeros((0, 0), dtype=f.dtype)
    vertical = f[:-2] + 2 * f[1:-1] + f[2:]
    horizontal = f[:, :-2] + 2 * f[:, 1:-1] + f[:, 2:]
    gx = vertical[:, 2:] - vertical[:, :-2]
    gy = horizontal[2:] - horizontal[:-2]
    return np.asarray(np.sqrt(gx * gx + gy * gy))


def spatial_information(luma: Frame) -> float:
    """ITU-T P.910 SI of one frame: std_space[Sobel(F)] (population standard deviation)."""
    import numpy as np

    magnitude = sobel_magnitude(luma)
    return float(magnitude.std(dtype=np.float64)) if magnitude.size else 0.0


def temporal_information(previous: Frame, current: Frame) -> float:
    """ITU-T P.910 TI of one frame: std_space[F_n − F_(n−1)]."""
    import numpy as np

    return float((current - previous).std(dtype=np.float64))


def colourfulness(rgb: Frame) -> float:
    """Hasler–Süsstrunk M = sqrt(σ_rg² + σ_yb²) + 0.3·sqrt(μ_rg² + μ_yb²), rg = R−G, yb = (R+G)/2 − B."""
    import numpy as np

    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg = r - g
    yb = 0.5 * (r + g) - b
    f64 = np.float64
    return float(
        np.hypot(rg.std(dtype=f64), yb.std(dtype=f64))
        + 0.3 * np.hypot(rg.mean(dtype=f64), yb.mean(dtype=f64))
    )


def rms_contrast(luma: Frame) -> float:
    """RMS contrast (Peli 1990): standard deviation of luma normalised to [0, 1]."""
    import numpy as np

    return float(luma.std(dtype=np.float64) / 255.0)


def brightness(luma: Frame) -> float:
    """Mean luma on the 8-bit code-value scale."""
    import numpy as np

    return float(luma.mean(dtype=np.float64))


def laplacian_variance(luma: Frame) -> float:
    """Sharpness as the variance of the 4-neighbour Laplacian (Pech-Pacheco et al. 2000); blur lowers it."""
    f = luma
    if f.shape[0] < 3 or f.shape[1] < 3:
        return 0.0
    lap = f[:-2, 1:-1] + f[2:, 1:-1] + f[1:-1, :-2] + f[1:-1, 2:] - 4.0 * f[1:-1, 1:-1]
    import numpy as np

    return float(lap.var(dtype=np.float64))
