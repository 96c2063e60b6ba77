"""Hostile metadata for every corpus plugin's parser, through the real ingest engine.

Each corpus starts from its plugin's own sample drop, with its metadata in the
text form the plugin reads (YouTube UGC's CSV export of the spreadsheet,
LIVE-VQC's ``filename,mos`` file instead of ``data.mat``). Each case edits that
file (or a clip) the way a careless export or a hostile drop would, then
ingests. Every case must end as one clear error (a ``VqaError`` whose message is
one line) or as rows counted under a reason with their ``file:line``; a clip
outside the dataset root is never read, and nothing is written outside the
output folder.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest

from vqa_core.errors import VqaError
from vqa_core.ingest import IngestConfig, ingest
from vqa_core.registry import Registry
from vqa_core.sample import write_sample
from vqa_core.samples import ClipSpec, write_clip

TIMESTAMP = "2026-03-04T05:06:07Z"
CLIPS = 3


@attrs.frozen
class Corpus:
    id: str
    #: The text metadata file the cases edit, relative to the root.
    metadata: str
    header: bool
    #: Index of the cell that names the clip in a data line.
    name_cell: int
    #: The reader takes ``;`` as a delimiter (and then a decimal comma).
    semicolons: bool
    #: How a path is written in this file (LSVQ names have no suffix).
    name_for: Callable[[str], str] = lambda path: path


CORPORA = [
    Corpus("konvid-1k", "KoNViD_1k_metadata/KoNViD_1k_attributes.csv", True, 0, True),
    Corpus("konvid-150k", "k150ka_scores.csv", True, 0, True),
    Corpus("lsvq", "labels_train_test.csv", True, 0, False, lambda p: p.removesuffix(".mp4")),
    Corpus("chug", "chug.csv", True, 0, False),
    Corpus("youtube-ugc", "original_videos_MOS_for_YouTube_UGC_dataset.csv", True, 0, True),
    Corpus("live-vqc", "mos.csv", True, 0, True),
    Corpus("waterloo-ivc-4k", "scores.txt", False, 0, True),
]


def _registry() -> Registry:
    from vqa_core.registry import Registry

    return Registry.for_distributions(
        ("vqa-konvid", "vqa-lsvq", "vqa-chug", "vqa-youtube-ugc", "vqa-live-vqc", "vqa-waterloo-ivc")
    )


def _as_text(corpus: Corpus, root: Path) -> None:
    """Put the metadata in the text form :class:`Corpus` names (only two corpora need converting)."""
    if corpus.id == "youtube-ugc":
        import python_calamine

        sheet = root / "original_videos_MOS_for_YouTube_UGC_dataset.xlsx"
        grid = python_calamine.CalamineWorkbook.from_path(str(sheet)).get_sheet_by_name("MOS").to_python()
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(grid)
        (root / corpus.metadata).write_text(buffer.getvalue())
        sheet.unlink()
    elif corpus.id == "live-vqc":
        from vqa_live_vqc.matfile import read_mat

        labels = read_mat(root / "data.mat")
        lines = ["filename,mos", *(f"{n},{m!r}" for n, m in zip(labels.names, labels.mos, strict=True))]
        (root / corpus.metadata).write_text("\n".join(lines) + "\n")
        (root / "data.mat").unlink()


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    registry = _registry()
    out = {}
    for corpus in CORPORA:
        root = tmp_path_factory.mktemp(corpus.id)
        write_sample(registry, corpus.id, root / "drop", clips=CLIPS, seed=5)
        _as_text(corpus, root / "drop")
        out[corpus.id] = root / "drop"
    return out


@attrs.frozen
class Outcome:
    error: VqaError | None = None
    rows: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    rejections: list[dict[str, Any]] = attrs.field(factory=list)
    stats: dict[str, Any] = attrs.field(factory=dict)


def _ingest(corpus: Corpus, root: Path, out: Path) -> Outcome:
    config = IngestConfig(
        corpus.id, root=root, output=out / "s.jsonl", timestamp=TIMESTAMP, workers=2, offline=True
    )
    try:
        report = ingest(_registry(), config)
    except VqaError as exc:
        assert "\n" not in str(exc), str(exc)
        return Outcome(error=exc)
    rows = {r["src"]: r for r in map(orjson.loads, report.output.read_bytes().splitlines())}
    rejections = [orjson.loads(line) for line in report.rejections.read_bytes().splitlines()]
    assert report.written + sum(report.skipped.values()) == report.rows_read
    assert len(rows) == report.written
    stats = orjson.loads(report.manifest.read_bytes())["stats"]
    return Outcome(rows=rows, rejections=rejections, stats=stats)


@pytest.fixture(scope="module")
def baselines(samples: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    out = {}
    for corpus in CORPORA:
        outcome = _ingest(corpus, samples[corpus.id], tmp_path_factory.mktemp(f"{corpus.id}-base"))
        assert outcome.error is None and len(outcome.rows) == CLIPS, (corpus.id, outcome)
        out[corpus.id] = outcome
    return out


# -- the cases --------------------------------------------------------------------------------------


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _data(corpus: Corpus, lines: list[str]) -> list[list[str]]:
    return list(csv.reader(lines[1:] if corpus.header else lines))


def _line_with_name(corpus: Corpus, lines: list[str], name: str) -> str:
    cells = _data(corpus, lines)[0]
    cells[corpus.name_cell] = name
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


#: A case edits the drop (``root``, with a valid clip ``outside`` next to it) and returns the
#: 1-based line it added, if any.
Case = Callable[[Corpus, Path, Path], int | None]


def _append_name(make: Callable[[Corpus, Path], str]) -> Case:
    def case(corpus: Corpus, root: Path, outside: Path) -> int:
        path = root / corpus.metadata
        lines = _lines(path)
        lines.append(_line_with_name(corpus, lines, make(corpus, outside)))
        path.write_text("\n".join(lines) + "\n")
        return len(lines)

    return case


def _append_raw(line: str) -> Case:
    def case(corpus: Corpus, root: Path, outside: Path) -> int:
        path = root / corpus.metadata
        lines = _lines(path)
        lines.append(line)
        path.write_text("\n".join(lines) + "\n")
        return len(lines)

    return case


ROW_CASES: dict[str, Case] = {
    "parent-path": _append_name(lambda c, o: c.name_for("../outside.mp4")),
    "deep-parent-path": _append_name(lambda c, o: c.name_for("a/../../../outside.mp4")),
    "absolute-path": _append_name(lambda c, o: c.name_for(str(o))),
    "nul-byte": _append_name(lambda c, o: "clip\x00name"),
    "control-characters": _append_name(lambda c, o: "clip\x1b[2Jname"),
    "backslash-path": _append_name(lambda c, o: c.name_for("..\\outside.mp4")),
    "extremely-long-line": _append_name(lambda c, o: "x" * 2_000_000),
    "long-path": _append_name(lambda c, o: "/".join(["d" * 200] * 30)),
    "only-delimiters": _append_raw(",,,,,,,,"),
    "binary-junk": _append_raw("\x7f\x01\x02 ,\x03\x04"),
}


def _rewrite(transform: Callable[[Corpus, str], bytes]) -> Case:
    def case(corpus: Corpus, root: Path, outside: Path) -> None:
        path = root / corpus.metadata
        path.write_bytes(transform(corpus, path.read_text(encoding="utf-8")))

    return case


def _decimal_commas(corpus: Corpus, text: str) -> bytes:
    """The same table as a European spreadsheet exports it: ``;`` between cells, ``,`` in numbers."""
    rows = list(csv.reader(text.splitlines()))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    for i, row in enumerate(rows):
        if corpus.header and i == 0:
            writer.writerow(row)
            continue
        writer.writerow([_comma_decimal(cell) for cell in row])
    return out.getvalue().encode()


def _comma_decimal(cell: str) -> str:
    try:
        float(cell)
    except ValueError:
        return cell
    return cell.replace(".", ",")


def _wide_header(corpus: Corpus, text: str) -> bytes:
    lines = text.splitlines()
    first = "," * 1_000_000  # 10^6 + 1 columns, each empty
    return "\n".join([first, *(lines[1:] if corpus.header else lines)]).encode() + b"\n"


def _duplicate_header(corpus: Corpus, text: str) -> bytes:
    lines = text.splitlines()
    names = next(csv.reader([lines[0]]))
    names[1] = names[0]
    return "\n".join([",".join(names), *lines[1:]]).encode() + b"\n"


def _latin1(corpus: Corpus, text: str) -> bytes:
    lines = text.splitlines()
    lines.append(_line_with_name(corpus, lines, "caf\u00e9_cr\u00e8me"))
    return ("\n".join(lines) + "\n").encode("latin-1")


WHOLE_FILE_ERRORS: dict[str, Case] = {
    "10^6-column-header": _rewrite(_wide_header),
    "duplicated-header": _rewrite(_duplicate_header),
    "latin-1-bytes": _rewrite(_latin1),
    "empty-file": _rewrite(lambda c, t: b""),
    "only-a-bom": _rewrite(lambda c, t: b"\xef\xbb\xbf"),
}

SAME_ROWS: dict[str, Case] = {
    "utf-16-with-bom": _rewrite(lambda c, t: t.encode("utf-16")),
    "utf-8-with-bom": _rewrite(lambda c, t: b"\xef\xbb\xbf" + t.encode()),
    "crlf": _rewrite(lambda c, t: t.replace("\n", "\r\n").encode()),
    "cr-only": _rewrite(lambda c, t: t.replace("\n", "\r").encode()),
    "blank-lines-between": _rewrite(lambda c, t: t.replace("\n", "\n\n  \n").encode()),
    "decimal-commas": _rewrite(_decimal_commas),
}


def _setup(
    corpus: Corpus, samples: dict[str, Path], tmp_path: Path, case: Case
) -> tuple[Path, Path, int | None]:
    root = Path(shutil.copytree(samples[corpus.id], tmp_path / "drop", symlinks=True))
    outside = write_clip(tmp_path / "outside.mp4", ClipSpec(width=32, height=18, frames=4), seed=7)
    added = case(corpus, root, outside)
    return root, outside, added


def _assert_nothing_outside(
    tmp_path: Path, root: Path, out: Path, before: dict[str, tuple[int, int]]
) -> None:
    from vqa_core.fsutil import manifest_path_for

    assert {p.name for p in tmp_path.iterdir()} <= {"drop", "out", "outside.mp4"}
    assert _tree(root) == before
    allowed = {
        "s.jsonl",
        "s.jsonl.lock",
        "s.jsonl.state.sqlite",
        "s.rejections.jsonl",
        manifest_path_for(out / "s.jsonl").name,
    }
    assert {p.name for p in out.iterdir()} <= allowed | {
        "s.jsonl.state.sqlite-wal",
        "s.jsonl.state.sqlite-shm",
    }


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in root.rglob("*")}


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.id)
@pytest.mark.parametrize("name", sorted(ROW_CASES))
def test_a_hostile_row_is_counted_with_its_line_and_the_others_are_written(
    corpus: Corpus, name: str, samples: dict[str, Path], baselines: dict[str, Outcome], tmp_path: Path
) -> None:
    root, _, added = _setup(corpus, samples, tmp_path, ROW_CASES[name])
    before = _tree(root)
    out = tmp_path / "out"
    outcome = _ingest(corpus, root, out)
    assert outcome.error is None, outcome.error
    assert outcome.rows == baselines[corpus.id].rows  # the good rows, byte for byte the same
    assert outcome.stats["rows_read"] == CLIPS + 1
    origins = {r["origin"] for r in outcome.rejections}
    assert f"{Path(corpus.metadata).name}:{added}" in origins, outcome.rejections
    reasons = {r["reason"] for r in outcome.rejections}
    assert reasons <= {"unsafe-path", "bad-row", "bad-mos", "missing-clip"}, outcome.rejections
    _assert_nothing_outside(tmp_path, root, out, before)


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.id)
@pytest.mark.parametrize("name", sorted(WHOLE_FILE_ERRORS))
def test_an_unusable_file_is_one_clear_error(
    corpus: Corpus, name: str, samples: dict[str, Path], tmp_path: Path
) -> None:
    if name == "duplicated-header" and not corpus.header:
        pytest.skip("a headerless file has no column names to repeat")
    root, _, _ = _setup(corpus, samples, tmp_path, WHOLE_FILE_ERRORS[name])
    before = _tree(root)
    outcome = _ingest(corpus, root, tmp_path / "out")
    assert outcome.error is not None, f"{corpus.id} accepted a file with {name}: {outcome.stats}"
    assert corpus.metadata.rsplit("/", 1)[-1] in str(outcome.error)
    assert _tree(root) == before


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.id)
@pytest.mark.parametrize("name", sorted(SAME_ROWS))
def test_an_encoding_or_layout_variant_gives_the_same_rows(
    corpus: Corpus, name: str, samples: dict[str, Path], baselines: dict[str, Outcome], tmp_path: Path
) -> None:
    if name == "decimal-commas" and not corpus.semicolons:
        pytest.skip(f"{corpus.id}'s reader takes commas only (see the comma-file case below)")
    root, _, _ = _setup(corpus, samples, tmp_path, SAME_ROWS[name])
    outcome = _ingest(corpus, root, tmp_path / "out")
    assert outcome.error is None, outcome.error
    assert outcome.rows == baselines[corpus.id].rows


@pytest.mark.parametrize("corpus", [c for c in CORPORA if not c.semicolons], ids=lambda c: c.id)
def test_decimal_commas_in_a_comma_file_never_become_other_numbers(
    corpus: Corpus, samples: dict[str, Path], baselines: dict[str, Outcome], tmp_path: Path
) -> None:
    def commas(corpus: Corpus, text: str) -> bytes:
        rows = list(csv.reader(text.splitlines()))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        for i, row in enumerate(rows):
            writer.writerow(row if i == 0 else [_comma_decimal(c) for c in row])
        return out.getvalue().replace("\\,", ",").encode()

    root, _, _ = _setup(corpus, samples, tmp_path, _rewrite(commas))
    edited = len(_lines(root / corpus.metadata)) - 1
    outcome = _ingest(corpus, root, tmp_path / "out")
    if outcome.error is None:
        # every row of the edited file is refused; what is written (from another file) is unchanged
        name = Path(corpus.metadata).name
        assert sum(r["origin"].startswith(f"{name}:") for r in outcome.rejections) == edited
        assert all(baselines[corpus.id].rows[src] == row for src, row in outcome.rows.items())


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.id)
def test_a_clip_symlinked_outside_the_root_is_never_read(
    corpus: Corpus, samples: dict[str, Path], baselines: dict[str, Outcome], tmp_path: Path
) -> None:
    root, outside, _ = _setup(corpus, samples, tmp_path, lambda c, r, o: None)
    src = sorted(baselines[corpus.id].rows)[0]
    (root / src).unlink()
    (root / src).symlink_to(outside)
    outcome = _ingest(corpus, root, tmp_path / "out")
    assert outcome.error is None
    assert src not in outcome.rows and len(outcome.rows) == CLIPS - 1
    (rejection,) = outcome.rejections
    assert rejection["reason"] == "unsafe-path" and rejection["key"] == src
