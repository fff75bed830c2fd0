"""Python's cycle collector and microgradx graphs: `gc_paused`, an opt-in pause for deep graphs.

CPython frees most objects by reference counting the moment the last reference goes. Its
*cycle collector* (the `gc` module) exists for the rest, objects that refer to each other in a
loop. It runs whenever enough container objects (tensors, op contexts, tuples…) have been
created, and each run walks the live objects of its generation, so a graph that keeps growing
(a 100,000-op chain holds over a million such objects before its backward pass) gets scanned
again and again: on the benchmark's T3 those scans take about half the step's time.

microgradx graphs contain no reference cycles (``tests/test_memory.py`` pins this), so reference
counting alone frees every graph and pausing the collector loses nothing *of ours*. Whether to
pause it is the program's choice, not the library's: microgradx never changes the collector's
settings by itself. `gc_paused` is the opt-in::

    with mgx.gc_paused():        # the collector is off inside, as before after
        loss = deep_model(x)
        loss.backward()

Code of your own that makes reference cycles inside the block keeps them until the collector
runs again after it (or until ``gc.collect()``).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Context manager: Python's cycle collector is disabled inside the block.

    On leaving the block (normally or by an exception) the collector is enabled again only if
    it was enabled on entry: nested blocks, and programs that keep it disabled themselves, are
    left as they were. Thresholds and other settings are never touched, and nothing is
    collected on exit (the collector resumes its own schedule).

    Examples:
        >>> import gc, microgradx as mgx
        >>> with mgx.gc_paused():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
