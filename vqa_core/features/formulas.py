"""Per-frame no-reference features: pure numpy functions of one or two frames.

Every function takes frames as float arrays on the 8-bit code-value scale
(0–255; deeper sources are rescaled before they get here): ``luma`` is H×W,
``rgb`` is H×W×3. Formulas and references are in docs/features.md; the tests
check each one on frames with known answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Frame = npt.NDArray[np.float64]

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
    """|∇F| with the 3×3 Sobel kernels, over the interior (a border pixel has no full neighbourhood)."""
    import numpy as np

    f = luma
    if f.shape[0] < 3 or f.shape[1] < 3:
        return np.zeros((0, 0))
    gx = (f[:-2, 2:] + 2 * f[1:-1, 2:] + f[2:, 2:]) - (f[:-2, :-2] + 2 * f[1:-1, :-2] + f[2:, :-2])
    gy = (f[2:, :-2] + 2 * f[2:, 1:-1] + f[2:, 2:]) - (f[:-2, :-2] + 2 * f[:-2, 1:-1] + f[:-2, 2:])
    return np.asarray(np.hypot(gx, gy))


def spatial_information(luma: Frame) -> float:
    """ITU-T P.910 SI of one frame: std_space[Sobel(F)] (population standard deviation)."""
    magnitude = sobel_magnitude(luma)
    return float(magnitude.std()) if magnitude.size else 0.0


def temporal_information(previous: Frame, current: Frame) -> float:
    """ITU-T P.910 TI of one frame: std_space[F_n − F_(n−1)]."""
    return float((current - previous).std())


def colourfulness(rgb: Frame) -> float:
    """Hasler–Süsstrunk M = sqrt(σ_rg² + σ_yb²) + 0.3·sqrt(μ_rg² + μ_yb²), rg = R−G, yb = (R+G)/2 − B."""
    import numpy as np

    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg = r - g
    yb = 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def rms_contrast(luma: Frame) -> float:
    """RMS contrast (Peli 1990): standard deviation of luma normalised to [0, 1]."""
    return float(luma.std() / 255.0)


def brightness(luma: Frame) -> float:
    """Mean luma on the 8-bit code-value scale."""
    return float(luma.mean())


def laplacian_variance(luma: Frame) -> float:
    """Sharpness as the variance of the 4-neighbour Laplacian (Pech-Pacheco et al. 2000); blur lowers it."""
    f = luma
    if f.shape[0] < 3 or f.shape[1] < 3:
        return 0.0
    lap = f[:-2, 1:-1] + f[2:, 1:-1] + f[1:-1, :-2] + f[1:-1, 2:] - 4.0 * f[1:-1, 1:-1]
    return float(lap.var())
