"""The one timestamp a run writes: ``--timestamp``, else ``SOURCE_DATE_EPOCH``, else now."""

from __future__ import annotations

import datetime as dt
import os

from vqa_core import env
from vqa_core.errors import UsageError

__all__ = ["run_timestamp", "format_utc", "parse_timestamp"]


def format_utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC, second precision, ``+00:00`` offset (the shard format's convention)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def parse_timestamp(text: str) -> dt.datetime:
    """An ISO 8601 timestamp (``Z`` accepted); a naive one is taken as UTC."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--timestamp {text!r} is not an ISO 8601 time such as 2026-01-31T12:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def run_timestamp(explicit: str | None = None) -> str:
    """The timestamp of this run, formatted: explicit value, ``SOURCE_DATE_EPOCH``, or now."""
    if explicit:
        return format_utc(parse_timestamp(explicit))
    epoch = os.environ.get(env.SOURCE_DATE_EPOCH, "").strip()
    if epoch:
        try:
            return format_utc(dt.datetime.fromtimestamp(int(epoch), dt.UTC))
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"{env.SOURCE_DATE_EPOCH}={epoch!r} is not a whole number of seconds") from None
    return format_utc(dt.datetime.now(dt.UTC))
