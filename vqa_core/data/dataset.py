"""``ClipDataset``: the clips of a unified or labelled table as decoded frames, for PyTorch.

The table is read once, at construction, and only the columns an item needs
are kept, as plain lists and arrays (cheap to pickle into every DataLoader
worker). Each item decodes its clip with :func:`vqa_core.data.decode.decode_clip`.

Errors: a bad table, selection or root mapping fails at construction with a
one-line :class:`~vqa_core.errors.VqaError`. A clip that cannot be decoded
raises :class:`~vqa_core.errors.ClipDecodeError` naming it, or, with
``on_error="skip"``, becomes a :class:`SkippedClip` that :func:`collate_clips`
drops from the batch and reports in :attr:`ClipBatch.skipped` — the batches
carry the count to the training loop, so it is right whatever the number of
workers (a counter on the dataset would live in each worker's copy).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import attrs
import torch
from torch.utils.data import Dataset

from vqa_core.data.decode import DecodeFailure, Sampling, decode_clip
from vqa_core.errors import ClipDecodeError, DatasetNotFoundError, ShardError, UsageError
from vqa_core.evaluation.protocols import parse_set
from vqa_core.fsutil import is_inside
from vqa_core.locations import clip_path_problem
from vqa_core.scales import ACR_1_5

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["ClipItem", "SkippedClip", "ClipBatch", "ClipDataset", "collate_clips"]

#: Columns read as exact strings (a key must never become a number).
_STRING_COLUMNS: Final = ("src", "src_sha256", "corpus", "content_group", "split")
#: The axis of ``mos`` in a labelled table (``vqa labels materialize``).
_LABELLED_SCALE: Final = "1-5"


class ClipItem(NamedTuple):
    """One decoded clip and its row. A ``NamedTuple``, so ``default_collate`` batches it too."""

    #: ``[T, 3, H, W]`` uint8 RGB.
    frames: torch.Tensor
    #: MOS on the unified 0–100 axis.
    mos: float
    #: MOS as the corpus publishes it (a labelled table: its 1–5 ``mos``).
    mos_native: float
    mos_native_scale: str
    #: The published split; ``""`` where the table gives none.
    split: str
    content_group: str
    corpus: str
    src: str
    #: ``""`` where the table has no hash.
    src_sha256: str
    #: 0-based row of the table this item comes from.
    row: int
    #: Frames in the clip (fewer than ``T``: some slots repeat a frame).
    clip_frames: int


class SkippedClip(NamedTuple):
    """What an item is, under ``on_error="skip"``, when its clip could not be decoded."""

    row: int
    corpus: str
    src: str
    #: The one-line message :class:`ClipDecodeError` would have had.
    reason: str


@attrs.frozen
class ClipBatch:
    """The decoded clips of one batch, and the ones skipped from it."""

    #: ``[B, T, 3, H, W]`` uint8; shape ``(0,)`` when every clip of the batch was skipped.
    frames: torch.Tensor
    #: ``[B]`` float32 on 0–100 (a training target).
    mos: torch.Tensor
    #: ``[B]`` float64 on each row's ``mos_native_scale``.
    mos_native: torch.Tensor
    mos_native_scale: tuple[str, ...]
    split: tuple[str, ...]
    content_group: tuple[str, ...]
    corpus: tuple[str, ...]
    src: tuple[str, ...]
    src_sha256: tuple[str, ...]
    #: ``[B]`` int64 table rows.
    row: torch.Tensor
    #: ``[B]`` int64 frames per clip.
    clip_frames: torch.Tensor
    skipped: tuple[SkippedClip, ...] = ()

    def __len__(self) -> int:
        return len(self.src)

    def pin_memory(self) -> ClipBatch:
        """What ``DataLoader(pin_memory=True)`` calls."""
        return attrs.evolve(self, frames=self.frames.pin_memory(), mos=self.mos.pin_memory())


def collate_clips(items: Sequence[ClipItem | SkippedClip]) -> ClipBatch:
    """Stack the decoded clips of a batch; skipped clips go to :attr:`ClipBatch.skipped`."""
    kept = [item for item in items if isinstance(item, ClipItem)]
    skipped = tuple(item for item in items if isinstance(item, SkippedClip))
    shapes = sorted({tuple(item.frames.shape) for item in kept})
    if len(shapes) > 1:
        sizes = " and ".join("×".join(map(str, shape)) for shape in shapes[:2])
        raise UsageError(
            f"clips of one batch differ in size ({sizes}): give ClipDataset a crop= (or use batch_size=1)"
        )
    return ClipBatch(
        frames=torch.stack([item.frames for item in kept]) if kept else torch.empty((0,), dtype=torch.uint8),
        mos=torch.tensor([item.mos for item in kept], dtype=torch.float32),
        mos_native=torch.tensor([item.mos_native for item in kept], dtype=torch.float64),
        mos_native_scale=tuple(item.mos_native_scale for item in kept),
        split=tuple(item.split for item in kept),
        content_group=tuple(item.content_group for item in kept),
        corpus=tuple(item.corpus for item in kept),
        src=tuple(item.src for item in kept),
        src_sha256=tuple(item.src_sha256 for item in kept),
        row=torch.tensor([item.row for item in kept], dtype=torch.int64),
        clip_frames=torch.tensor([item.clip_frames for item in kept], dtype=torch.int64),
        skipped=skipped,
    )


def _crop(value: int | tuple[int, int] | None) -> tuple[int, int] | None:
    if value is None or isinstance(value, tuple):
        return value
    return (value, value)


@attrs.frozen
class _Rows:
    """The selected rows, column by column (no per-row objects)."""

    row: npt.NDArray[np.int64]
    src: list[str]
    src_sha256: list[str]
    corpus: list[str]
    content_group: list[str]
    split: list[str]
    mos: npt.NDArray[np.float64]
    mos_native: npt.NDArray[np.float64]
    mos_native_scale: list[str]
    unlabelled: int


class ClipDataset(Dataset[ClipItem | SkippedClip]):
    """Decoded clips of a unified (``vqa aggregate``) or labelled (``vqa labels materialize``) table.

    ``roots`` maps each corpus to its dataset root (``src`` is relative to it).
    ``frames`` clips are sampled uniformly, or every ``stride`` frames from a
    start drawn from ``seed`` and the item index; ``short_side`` resizes
    (aspect kept), ``crop`` (a size or ``(height, width)``) centre-crops.
    ``sets`` (``corpus`` or ``corpus:split``, as ``vqa evaluate``) and ``groups``
    (content groups) select rows. ``decode_threads`` is FFmpeg's thread count per
    decoder; ``None`` shares the cores among the DataLoader's workers.
    """

    def __init__(
        self,
        table: str | os.PathLike[str],
        roots: Mapping[str, str | os.PathLike[str]],
        *,
        frames: int = 8,
        stride: int | None = None,
        short_side: int | None = None,
        crop: int | tuple[int, int] | None = None,
        sets: Sequence[str] = (),
        groups: Sequence[str] | None = None,
        seed: int = 0,
        on_error: Literal["raise", "skip"] = "raise",
        decode_threads: int | None = None,
    ) -> None:
        if on_error not in ("raise", "skip"):
            raise UsageError(f"on_error is 'raise' or 'skip', got {on_error!r}")
        if decode_threads is not None and decode_threads < 0:
            raise UsageError(f"decode_threads must be ≥ 0 (0 = FFmpeg's choice), got {decode_threads}")
        if isinstance(sets, str) or isinstance(groups, str):
            raise UsageError(
                "sets and groups are sequences of names, not one string: use sets=('lsvq:train',)"
            )
        try:
            self.sampling: Final = Sampling(frames, stride, short_side, _crop(crop), seed)
        except (ValueError, TypeError) as exc:
            raise UsageError(f"ClipDataset: {exc}") from None
        self.table: Final = Path(table)
        self.on_error: Final = on_error
        self.decode_threads: Final = decode_threads
        rows = _select(_read(self.table), sets, groups)
        self.roots: Final = _roots(rows, roots)
        self._rows = rows

    @property
    def unlabelled(self) -> int:
        """Rows of a labelled table left out because they have no MOS."""
        return self._rows.unlabelled

    @property
    def rows(self) -> npt.NDArray[np.int64]:
        """The table rows of the items, in item order."""
        return self._rows.row

    def __len__(self) -> int:
        return len(self._rows.src)

    def __getitem__(self, index: int) -> ClipItem | SkippedClip:
        if not 0 <= index < len(self):
            raise IndexError(f"item {index} of a ClipDataset of {len(self)}")
        rows = self._rows
        corpus, src = rows.corpus[index], rows.src[index]
        path = Path(self.roots[corpus]) / src
        try:
            _check_inside(src, path, self.roots[corpus])
            decoded = decode_clip(path, self.sampling, index, threads=self._threads())
        except DecodeFailure as exc:
            error = ClipDecodeError(
                f"{corpus} clip {src} ({path}): {exc}", path=str(path), corpus=corpus, src=src
            )
            if self.on_error == "raise":
                raise error from None
            return SkippedClip(int(rows.row[index]), corpus, src, str(error))
        return ClipItem(
            frames=torch.from_numpy(decoded.frames),
            mos=float(rows.mos[index]),
            mos_native=float(rows.mos_native[index]),
            mos_native_scale=rows.mos_native_scale[index],
            split=rows.split[index],
            content_group=rows.content_group[index],
            corpus=corpus,
            src=src,
            src_sha256=rows.src_sha256[index],
            row=int(rows.row[index]),
            clip_frames=decoded.clip_frames,
        )

    def _threads(self) -> int:
        if self.decode_threads is not None:
            return self.decode_threads
        # the cores go to the workers first: each worker's decoder gets its share, at least one
        info = torch.utils.data.get_worker_info()
        workers = info.num_workers if info is not None else 1
        return max(1, len(os.sched_getaffinity(0)) // workers)


def _check_inside(src: str, path: Path, root: str) -> None:
    # the rule ingest applies to metadata paths, then where the file really is (symlinks)
    problem = clip_path_problem(src)
    if problem:
        raise DecodeFailure(f"src {problem}")
    if os.path.lexists(path) and not is_inside(path, root):
        raise DecodeFailure(f"resolves outside the dataset root {root} (symlink)")


def _read(path: Path) -> dict[str, Any]:
    """The columns an item needs, over every row of the table (before selection)."""
    import numpy as np

    from vqa_core.tables.loose import read_table

    def strings(names: Sequence[str]) -> list[str]:
        return [n for n in _STRING_COLUMNS if n in names]

    loaded = read_table(path, strings=strings)
    names = set(loaded.columns)
    unified = "mos_native_scale" in names
    need = ["src", "corpus", "mos", *(("mos_native", "mos_native_scale") if unified else ("mos_raw_0_100",))]
    missing = [n for n in need if n not in names]
    if missing:
        kind = "unified" if unified else "labelled"
        raise ShardError(
            f"{path}: not a unified or labelled table (as a {kind} table it lacks {', '.join(missing)})",
            path=str(path),
        )
    table = loaded.table

    def texts(name: str, default: Callable[[int], str]) -> list[str]:
        if name not in names:
            return [default(i) for i in range(loaded.num_rows)]
        return [v if v is not None else default(i) for i, v in enumerate(table.column(name).to_pylist())]

    def numbers(name: str) -> npt.NDArray[np.float64]:
        values = table.column(name).to_pylist()
        return np.asarray([math.nan if v is None else float(v) for v in values], dtype=np.float64)

    src = texts("src", lambda i: "")
    corpus = texts("corpus", lambda i: "")
    mos = numbers("mos")
    if unified:
        mos_0_100, native, scale = mos, numbers("mos_native"), texts("mos_native_scale", lambda i: "")
    else:
        raw = numbers("mos_raw_0_100")
        mos_0_100 = np.where(np.isfinite(raw), raw, ACR_1_5.to_unified(mos))
        native, scale = mos, [_LABELLED_SCALE] * len(src)
    blank = next((i for i in range(len(src)) if not src[i] or not corpus[i]), None)
    if blank is not None:
        raise ShardError(f"{loaded.where(blank)}: a row without src or corpus", path=str(path))
    return {
        "src": src,
        "corpus": corpus,
        "src_sha256": texts("src_sha256", lambda i: ""),
        "content_group": texts("content_group", lambda i: f"{corpus[i]}/{src[i]}"),
        "split": texts("split", lambda i: ""),
        "mos": mos_0_100,
        "mos_native": native,
        "mos_native_scale": scale,
    }


def _select(columns: dict[str, Any], sets: Sequence[str], groups: Sequence[str] | None) -> _Rows:
    import numpy as np

    corpus = np.asarray(columns["corpus"], dtype=object)
    labelled = np.isfinite(columns["mos"])
    keep = labelled.copy()
    if sets:
        chosen = np.zeros(len(corpus), dtype=bool)
        split = np.asarray(columns["split"], dtype=object)
        for text in sets:
            name, wanted_split = parse_set(text)
            in_set = corpus == name
            if not in_set.any():
                present = ", ".join(sorted(set(columns["corpus"]))) or "none"
                raise UsageError(f"set {text!r}: no row of corpus {name!r} (corpora in the table: {present})")
            if wanted_split is not None:
                published = sorted({s for s in split[in_set] if s})
                in_set &= split == wanted_split
                if not in_set.any():
                    hint = (
                        f"its splits: {', '.join(published)}" if published else f"{name} publishes no split"
                    )
                    raise UsageError(f"set {text!r}: no row in split {wanted_split!r} ({hint})")
            chosen |= in_set
        keep &= chosen
    if groups is not None:
        group = np.asarray(columns["content_group"], dtype=object)
        unknown = sorted(set(groups) - set(columns["content_group"]))
        if unknown:
            more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
            raise UsageError(f"content group {unknown[0]!r}{more} is not in the table")
        keep &= np.isin(group, np.asarray(list(groups), dtype=object))
    picked = np.flatnonzero(keep).astype(np.int64)
    if picked.size == 0:
        raise UsageError("ClipDataset: the table and selection leave no labelled row")

    def take(values: list[str]) -> list[str]:
        return [values[i] for i in picked]

    return _Rows(
        row=picked,
        src=take(columns["src"]),
        src_sha256=take(columns["src_sha256"]),
        corpus=take(columns["corpus"]),
        content_group=take(columns["content_group"]),
        split=take(columns["split"]),
        mos=np.asarray(columns["mos"][picked], dtype=np.float64),
        mos_native=np.asarray(columns["mos_native"][picked], dtype=np.float64),
        mos_native_scale=take(columns["mos_native_scale"]),
        unlabelled=int((~labelled).sum()),
    )


def _roots(rows: _Rows, roots: Mapping[str, str | os.PathLike[str]]) -> dict[str, str]:
    """Corpus → dataset root, for the corpora of the selected rows; refused before any decoding."""
    needed = sorted(set(rows.corpus))
    missing = [c for c in needed if c not in roots]
    if missing:
        raise UsageError(
            f"no dataset root for corpus {', '.join(missing)} (roots given for: {', '.join(sorted(roots)) or 'none'})"
        )
    resolved: dict[str, str] = {}
    for corpus in needed:
        root = Path(roots[corpus])
        if not root.is_dir():
            raise DatasetNotFoundError(f"dataset root of {corpus}: {root} is not a directory", path=str(root))
        resolved[corpus] = str(root)
    return resolved
