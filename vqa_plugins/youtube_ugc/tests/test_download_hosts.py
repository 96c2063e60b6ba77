"""A URL column may only send vqa to the declared bucket, a --base-url mirror, or an --allow-host."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner
from vqa_youtube_ugc.clips import BUCKET
from vqa_youtube_ugc.declarations import YOUTUBE_UGC

from vqa_core.cli import main
from vqa_core.ingest.download import url_host
from vqa_core.testing.http import LocalServer

TIMESTAMP = "2026-01-01T00:00:00Z"


def test_the_bucket_is_a_declared_download_host() -> None:
    assert url_host(BUCKET) in YOUTUBE_UGC.download_hosts


def _rejections(out: Path) -> dict[str, dict[str, object]]:
    rows = map(orjson.loads, out.with_suffix(".rejections.jsonl").read_bytes().splitlines())
    return {Path(str(r["key"])).stem: r for r in rows}


def test_a_url_column_naming_another_host_or_scheme_is_a_counted_rejection(tmp_path: Path, kit) -> None:
    clips = {
        name: kit.clip(tmp_path / "src" / f"{name}.mp4", seed=i).read_bytes() for i, name in enumerate("ab")
    }
    root, out = tmp_path / "root", tmp_path / "ugc.jsonl"
    with LocalServer() as server:
        for name, data in clips.items():
            server.add(f"/{name}.mp4", data)
        port = server.url().rsplit(":", 1)[1]
        urls = {
            "Gaming_1080P-0001": f"http://127.0.0.1:{port}/a.mp4",
            "Gaming_1080P-0002": f"http://localhost:{port}/b.mp4",  # the same server, another host name
            "Vlog_360P-0003": "file:///etc/passwd",
            "Vlog_360P-0004": f"ftp://127.0.0.1:{port}/a.mp4",
        }
        table = kit.csv(
            root / "m.csv", [[*kit.row(vid), url] for vid, url in urls.items()], header=[*kit.header, "url"]
        )

        def run(*extra: str) -> str:
            args = ["ingest", "youtube-ugc", "--root", str(root), "--metadata", str(table), "-o", str(out)]
            result = CliRunner().invoke(main, [*args, "-q", "--timestamp", TIMESTAMP, *extra])
            assert result.exit_code == 0, result.output
            return result.output

        assert "skipped: 4 url-not-allowed" in run()
        assert server.requests == []  # nothing fetched
        refused = _rejections(out)
        assert refused["Gaming_1080P-0001"]["origin"] == "m.csv:2"
        assert "is on 127.0.0.1, not a declared download host" in str(refused["Gaming_1080P-0001"]["detail"])
        assert "--allow-host" in str(refused["Gaming_1080P-0001"]["detail"])
        assert "is file, not http(s)" in str(refused["Vlog_360P-0003"]["detail"])
        assert "is ftp, not http(s)" in str(refused["Vlog_360P-0004"]["detail"])

        assert "1 written, skipped: 3 url-not-allowed" in run("--allow-host", "127.0.0.1")
        assert server.requests == [("/a.mp4", None)]

        # a mirror's host is allowed too; other schemes never are
        assert "2 written, skipped: 2 url-not-allowed" in run("--base-url", f"http://localhost:{port}/mirror")
        assert server.requests[-1] == ("/b.mp4", None)
        assert set(_rejections(out)) == {"Vlog_360P-0003", "Vlog_360P-0004"}
    assert not Path(root / "original_videos" / "Vlog_360P-0003.mkv").exists()


def test_an_allow_host_that_is_not_a_host_name_is_a_usage_error(tmp_path: Path, kit) -> None:
    root = tmp_path / "root"
    table = kit.csv(root / "m.csv", [kit.row("Gaming_1080P-0001")])
    args = [
        "ingest",
        "youtube-ugc",
        "--root",
        str(root),
        "--metadata",
        str(table),
        "-o",
        str(tmp_path / "o.jsonl"),
    ]
    result = CliRunner().invoke(main, [*args, "--allow-host", "https://evil.example.org/"])
    assert (
        result.exit_code == 2
        and "--allow-host 'https://evil.example.org/' is not a host name" in result.output
    )
