"""Rooms: what the visitors of one presenter link share (`?tab=...&room=talk`), in this process.

    ROOMS = Rooms(Tally, max_rooms=12, idle_s=6 * 3600)
    tally = ROOMS.get(check_room(query["room"]))     # the room's object, made on first use

A room's object is whatever the demo keeps there (the Alignment tab's votes, the Provenance tab's
quiz scores); it guards its own contents with its own lock. The registry guards only the names: at
most `max_rooms` alive, a room unused for `idle_s` (its `used_at`, time.monotonic()) dropped to make
space unless `busy(room)` says it is still working. Pure Python.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from shared import limits

ROOM_CHARS = 32
ROOM_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")


def rooms_full(cap: int) -> str:
    return f"There are already {cap} rooms on this server, the most it keeps: use an existing room, or no room."


def check_room(name: object) -> str:
    """A room name from a link or a box: '' (no room: the session keeps its own) or a short slug."""
    text = limits.check_text("room name", name if name is not None else "", ROOM_CHARS * 4, allow_empty=True)
    text = text.strip().lower()
    if len(text) > ROOM_CHARS:
        raise limits.LimitError(f"A room name has at most {ROOM_CHARS} characters; this one has {len(text)}.")
    if text and not ROOM_PATTERN.fullmatch(text):
        raise limits.LimitError("A room name may use only letters, digits, '-' and '_' (for example talk-2026), "
                                "starting with a letter or digit.")
    return text


class Room(Protocol):
    used_at: float  # time.monotonic() of its last use


R = TypeVar("R", bound=Room)


class Rooms(Generic[R]):
    """A name -> room registry under one lock."""

    def __init__(self, make: Callable[[str], R], max_rooms: int, idle_s: float, full: Callable[[int], str] = rooms_full,
                 busy: Callable[[R], bool] = lambda room: False) -> None:
        self._make, self._max, self._idle_s, self._full, self._busy = make, max_rooms, idle_s, full, busy
        self._rooms: dict[str, R] = {}
        self._lock = threading.Lock()

    def get(self, name: object) -> R:
        """The room called `name` (checked), made on first use; LimitError when max_rooms are alive."""
        name = check_room(name)
        if not name:
            raise limits.LimitError("A room needs a name.")
        with self._lock:
            room = self._rooms.get(name)
            if room is None:
                now = time.monotonic()
                for old in [n for n, r in self._rooms.items() if now - r.used_at > self._idle_s and not self._busy(r)]:
                    del self._rooms[old]
                if len(self._rooms) >= self._max:
                    raise limits.LimitError(self._full(self._max))
                room = self._rooms[name] = self._make(name)
            return room

    def __len__(self) -> int:
        return len(self._rooms)
