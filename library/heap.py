"""Keep Python's cyclic garbage collector from walking the dataset's objects on every full collection.

A library of 50,000 reports keeps a few hundred thousand long-lived objects (the dataset's text
columns as object arrays, the stamps of every report, the caches built on them). Every full
collection of the cyclic collector visits all of them: 150–170 ms at 50,000 reports, falling at
random into some page run after a write (a page measured 290 ms in one run and 480 ms in the next).
Those objects live as long as the dataset, so after a full read they are moved out of the collector's
sight (``gc.freeze``): a full collection then took ~30 ms. The findings of 审核意见 (about 1.4 million
objects at 50,000 reports) are settled the same way after each full computation (the first one, or
one an update could not make).

Frozen objects are still freed when their last reference goes; only garbage held in reference cycles
among them waits for the next full read or computation, which first unfreezes and collects everything. Small
libraries (tests, a county's few hundred reports) are left alone: their collections are short.
"""

from __future__ import annotations

import gc

# From this many reports read at once the long-lived objects are frozen (below it a full collection
# costs a few ms and freezing would only add a collection per read).
FREEZE_FROM_REPORTS = 10_000


def settle_after_full_read(reports: int) -> bool:
    """After a full read of ``reports`` reports: collect every cycle (frozen ones included, by
    unfreezing first), then freeze what survives. True when it did (large reads only)."""
    if reports < FREEZE_FROM_REPORTS:
        return False
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return True
