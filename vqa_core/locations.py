"""Where a plugin points: download URLs rewritten to a mirror, and clip paths it may name.

Both run on what a plugin hands the host (published URLs, clip names from
metadata) before anything is fetched or opened, and both are part of the plugin
API, so they live apart from the download and ingest machinery that uses them.
"""

from __future__ import annotations

from pathlib import PurePosixPath

__all__ = ["apply_base_url", "clip_path_problem"]


def apply_base_url(url: str, base_url: str | None, published_base: str) -> str:
    """Replace ``published_base`` at the start of ``url`` with ``base_url`` (mirrors, test servers)."""
    if base_url and url.startswith(published_base):
        return base_url.rstrip("/") + "/" + url[len(published_base) :].lstrip("/")
    return url


def clip_path_problem(clip: str) -> str | None:
    """Why a clip path from the metadata may not be used, or ``None``.

    Paths must be relative, stay inside the clips directory and contain no NUL
    or control characters; this runs before anything touches the file system.
    """
    if not clip or not clip.strip():
        return "empty clip name"
    if any(ord(ch) < 32 for ch in clip):
        return f"clip name {clip!r} contains control characters"
    if "\\" in clip:
        return f"clip name {clip!r} contains a backslash"
    path = PurePosixPath(clip)
    if path.is_absolute() or (len(clip) > 1 and clip[1] == ":"):
        return f"clip path {clip!r} is absolute"
    if ".." in path.parts:
        return f"clip path {clip!r} leaves the clips directory"
    if len(clip.encode()) > 4096 or any(len(p.encode()) > 255 for p in path.parts):
        return "clip path is longer than the file system allows"
    return None
