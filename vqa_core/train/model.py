"""The MOS head: a small MLP on standardised features, MOS in (1, 5). Imports torch lazily.

``features`` [N, F] → (x − mean) · (1/std) → Linear(F, h1) → ReLU → Linear(h1, h2) →
ReLU → Linear(h2, 1) → 1 + 4·sigmoid → ``mos`` [N, 1]. The standardisation
statistics are buffers inside the model, computed from the training rows only,
so the exported ONNX takes raw feature values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["FitSettings", "build_model", "fit", "predict_torch", "deterministic", "n_parameters"]


@attrs.frozen
class FitSettings:
    epochs: int = attrs.field(default=100, validator=attrs.validators.gt(0))
    batch_size: int = attrs.field(default=256, validator=attrs.validators.gt(0))
    lr: float = attrs.field(default=1e-2, validator=attrs.validators.gt(0.0))
    weight_decay: float = attrs.field(default=1e-4, validator=attrs.validators.ge(0.0))
    hidden: tuple[int, ...] = attrs.field(default=(64, 32), converter=tuple)


def standardisation(x: npt.NDArray[np.float64]) -> tuple[list[float], list[float]]:
    """Mean and population std per column; a constant column gets std 1 (no division by zero)."""
    import numpy as np

    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std = np.where(std > 1e-12, std, 1.0)
    return [float(v) for v in mean], [float(v) for v in std]


def build_model(mean: Sequence[float], std: Sequence[float], hidden: Sequence[int]) -> Any:
    import torch
    from torch import nn

    class MosHead(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("inv_std", 1.0 / torch.tensor(std, dtype=torch.float32))
            layers: list[nn.Module] = []
            width = len(mean)
            for size in hidden:
                layers += [nn.Linear(width, size), nn.ReLU()]
                width = size
            layers.append(nn.Linear(width, 1))
            self.net = nn.Sequential(*layers)

        mean: torch.Tensor
        inv_std: torch.Tensor

        def forward(self, features: torch.Tensor) -> torch.Tensor:
            z = (features - self.mean) * self.inv_std
            return 1.0 + 4.0 * torch.sigmoid(self.net(z))

    return MosHead()


def n_parameters(model: Any) -> int:
    return int(sum(p.numel() for p in model.parameters()))


@contextmanager
def deterministic(seed: int) -> Iterator[None]:
    """Seeded, deterministic, single-threaded torch for the duration (restored afterwards)."""
    import torch

    threads = torch.get_num_threads()
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(was_deterministic)


def fit(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    *,
    seed: int,
    settings: FitSettings,
    on_epoch: Callable[[], None] | None = None,
) -> Any:
    """Train a MOS head on ``x`` (rows × features) and ``y`` (MOS 1–5); same inputs and seed → same weights.

    ``on_epoch`` is called after every epoch (for a progress display)."""
    import torch

    mean, std = standardisation(x)
    with deterministic(seed):
        model = build_model(mean, std, settings.hidden)
        features = torch.tensor(x, dtype=torch.float32)
        target = torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
        optimiser = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
        loss_fn = torch.nn.MSELoss()
        generator = torch.Generator().manual_seed(seed)
        n = features.shape[0]
        model.train()
        for _ in range(settings.epochs):
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, settings.batch_size):
                batch = order[start : start + settings.batch_size]
                optimiser.zero_grad()
                loss = loss_fn(model(features[batch]), target[batch])
                loss.backward()
                optimiser.step()
            if on_epoch is not None:
                on_epoch()
        model.eval()
    return model


def predict_torch(model: Any, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    import numpy as np
    import torch

    with torch.no_grad():
        out = model(torch.tensor(x, dtype=torch.float32)).numpy()
    return np.asarray(out[:, 0], dtype=np.float64)
