"""Pause the cyclic garbage collector while building large trees.

Building a tree of a hundred thousand dicts triggers the collector thousands of times, and each
full pass walks every object already built: tree building turns quadratic. The trees hold no
reference cycles, so nothing is lost by collecting once afterwards instead.

The pause is process-wide (inside the web server it pauses the collector for every request
thread), so it goes around CPU work that builds trees, never around a network or database wait.
"""
import contextlib
import gc
import threading
from typing import Iterator

_lock = threading.Lock()
_depth = 0


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Nestable and thread-safe: the collector comes back when the last user leaves."""
    global _depth
    with _lock:
        if _depth == 0:
            was_enabled = gc.isenabled()
            gc.disable()
            gc_paused.was_enabled = was_enabled
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and gc_paused.was_enabled:
                gc.enable()


gc_paused.was_enabled = True
