"""The statuses a report line carries, and the two that phase 1 leaves for phase 2 to decide."""

from __future__ import annotations

from typing import Final

OK: Final = "ok"
MISSING: Final = "missing"
CHANGED: Final = "changed"
MOVED: Final = "moved"
UNREADABLE: Final = "unreadable"
INVALID: Final = "invalid"
#: Every status a report line can carry, in the order summaries list them.
STATUSES: Final = (OK, MOVED, MISSING, CHANGED, UNREADABLE, INVALID)
#: Phase 1 outcomes that phase 2 turns into moved, or into missing / changed.
_PENDING_MISSING: Final = "pending-missing"
_PENDING_CHANGED: Final = "pending-changed"
