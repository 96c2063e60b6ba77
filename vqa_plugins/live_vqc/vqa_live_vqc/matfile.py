"""LIVE-VQC's published ``data.mat``, read with :func:`scipy.io.loadmat`.

The file holds two variables: ``video_list``, a 585×1 cell array of clip names
(``A001.mp4`` …), and ``mos``, a 585×1 double array on 0–100. Copies saved by
other tools sometimes name them ``video_names`` / ``scores`` or store the
names as a character matrix; both are read. A row's origin is
``data.mat:<n>``, the 1-based position in ``video_list``.

MATLAB v7.3 files are HDF5 inside; scipy does not read them, and the error
says how to re-save the file. Whole-file problems (not a MAT file, a variable
missing, lists of different lengths) raise
:class:`~vqa_core.plugin.MetadataError`; a bad entry becomes a rejection.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import attrs

from vqa_core.plugin import MetadataError, Origin, RowRejection, SourceRow
from vqa_live_vqc.rows import make_row

__all__ = ["NAME_VARIABLES", "MOS_VARIABLES", "MatLabels", "is_mat_file", "read_mat"]

NAME_VARIABLES: Final = ("video_list", "video_names", "video_name", "file_names")
MOS_VARIABLES: Final = ("mos", "MOS", "scores", "score")
_MAGIC: Final = b"MATLAB"


def is_mat_file(path: Path) -> bool:
    """Whether ``path`` starts like a MATLAB MAT-file (any version)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_MAGIC)) == _MAGIC
    except OSError:
        return False


@attrs.frozen
class MatLabels:
    """The two lists of a ``data.mat``, entry by entry (names as text or ``None``)."""

    path: Path
    names: tuple[str | None, ...]
    mos: tuple[float | str, ...]

    def rows(self) -> Iterator[SourceRow | RowRejection]:
        for index, (name, mos) in enumerate(zip(self.names, self.mos, strict=True), start=1):
            origin = Origin(self.path.name, index)
            if name is None:
                yield RowRejection(reason="bad-row", detail="video_list entry is not text", origin=origin)
                continue
            yield make_row(origin, name, mos)


def _text(item: Any) -> str | None:
    """The text of one cell: a str, a char array (possibly empty), or a nested 1×1 cell."""
    import numpy as np

    if isinstance(item, str):
        return item
    if isinstance(item, np.ndarray):
        flat = item.ravel()
        if flat.dtype.kind == "U":
            return "".join(str(x) for x in flat)
        if flat.dtype.kind == "O" and flat.size == 1:
            return _text(flat[0])
    return None


def _number(item: Any) -> float | str:
    """A MOS entry as a float, or a description of why it is not one."""
    import numpy as np

    value = item
    if isinstance(value, np.ndarray):
        flat = value.ravel()
        if flat.size != 1:
            return f"entry holds {flat.size} values, not one number"
        value = flat[0]
    if isinstance(value, np.ndarray | list | tuple | dict):
        return "entry is not a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"{value!r} is not a number"
    return number


def _variable(data: dict[str, Any], names: tuple[str, ...], path: Path, what: str) -> tuple[str, Any]:
    for name in names:
        if name in data:
            return name, data[name]
    present = ", ".join(sorted(k for k in data if not k.startswith("__"))) or "none"
    raise MetadataError(
        f"{path}: no {what} variable ({' or '.join(names)}) in the MAT-file; it holds: {present}",
        path=str(path),
    )


def _loadmat(path: Path) -> dict[str, Any]:
    """``scipy.io.loadmat(path)``, in a forked child where ``fork`` exists.

    scipy's MAT reader is compiled code, and a damaged file can crash it with a
    segmentation fault (found by fuzzing: a 456-byte mutation of a valid file),
    which would end the whole vqa process. The child reads the file and sends
    the variables back pickled; if it dies, the file is reported as damaged. A
    ``fork`` costs milliseconds here because scipy is already imported.
    """
    import pickle

    from scipy.io import loadmat

    if not hasattr(os, "fork"):
        return dict(loadmat(str(path)))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, report, and leave without running any cleanup of the parent's
        status = 0
        try:
            import faulthandler

            faulthandler.disable()  # a crash here is expected and reported by the parent
            os.close(read_end)
            try:
                payload: tuple[str, object] = ("ok", dict(loadmat(str(path))))
            except NotImplementedError:
                payload = ("v7.3", None)
            except Exception as exc:  # why: sent back and raised as MetadataError by the parent
                payload = ("error", f"{type(exc).__name__}: {exc}")
            with os.fdopen(write_end, "wb") as fh:
                fh.write(pickle.dumps(payload))
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        blob = fh.read()
    _, status = os.waitpid(pid, 0)
    if not blob or os.waitstatus_to_exitcode(status) != 0:
        code = os.waitstatus_to_exitcode(status)
        how = f"signal {-code}" if code < 0 else f"status {code}"
        raise MetadataError(
            f"{path}: the MAT-file reader crashed on this file ({how}); the file is damaged: re-save it "
            "or give the scores as a filename,mos text file",
            path=str(path),
        )
    kind, value = pickle.loads(blob)
    if kind == "v7.3":
        raise NotImplementedError
    if kind == "error":
        raise MetadataError(f"{path}: cannot read the MAT-file ({value})", path=str(path))
    return value  # type: ignore[no-any-return]


def read_mat(path: Path) -> MatLabels:
    """Load ``path`` and pair its names with its scores; :class:`MetadataError` if unusable."""
    import numpy as np

    if not is_mat_file(path):
        raise MetadataError(
            f"{path}: not a MATLAB MAT-file (it does not start with 'MATLAB')", path=str(path)
        )
    try:
        data = _loadmat(path)
    except NotImplementedError:
        raise MetadataError(
            f"{path}: a MATLAB v7.3 (HDF5) MAT-file, which vqa does not read; re-save it in MATLAB with "
            "save('data.mat', 'video_list', 'mos', '-v7') or give the scores as a filename,mos text file",
            path=str(path),
        ) from None
    except MetadataError:
        raise
    # why: a damaged binary file can fail anywhere inside scipy's reader (ValueError,
    # TypeError, zlib.error, MatReadError, struct.error ...); each is one unusable file.
    except Exception as exc:
        raise MetadataError(
            f"{path}: cannot read the MAT-file ({type(exc).__name__}: {exc})", path=str(path)
        ) from None
    name_var, raw_names = _variable(data, NAME_VARIABLES, path, "clip-name")
    mos_var, raw_mos = _variable(data, MOS_VARIABLES, path, "MOS")
    names = tuple(_text(x) for x in np.asarray(raw_names).ravel())
    scores = tuple(_number(x) for x in np.asarray(raw_mos, dtype=object).ravel())
    if len(names) != len(scores):
        raise MetadataError(
            f"{path}: {name_var} has {len(names):,} entries but {mos_var} has {len(scores):,}; "
            "the lists must pair up one to one",
            path=str(path),
        )
    if not names:
        raise MetadataError(f"{path}: {name_var} is empty", path=str(path))
    return MatLabels(path, names, scores)
