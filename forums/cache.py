"""The thread-page cache's store: a small per-process LRU of rendered HTML. forums/page.py
decides what goes in (a thread's posts per kind of reader, and the rest of a thread page's
content per reader); every key starts with the thread's id and carries its `version`.

The version is read from the database on every request and bumped by every operation that
changes what the page shows (a post, an edit, a hide, a delete, a lock, a pin). So a change
shows at once in every worker process: an old entry can never be hit again, it only waits to
be evicted. Nothing here needs invalidating for correctness; `forget_thread` only frees memory
early in the process that made the change.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

MAX_ENTRIES = 512

_entries: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def get(key: tuple) -> str | None:
    with _lock:
        value = _entries.get(key)
        if value is not None:
            _entries.move_to_end(key)
        return value


def put(key: tuple, value: str) -> None:
    with _lock:
        _entries[key] = value
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def forget_thread(thread_id: int) -> None:
    with _lock:
        for key in [key for key in _entries if key[0] == thread_id]:
            del _entries[key]


def clear() -> None:
    with _lock:
        _entries.clear()
