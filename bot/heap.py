"""The garbage collector and the index: a built index is long-lived, so it is kept out of collections.

CPython's cyclic collector walks every tracked object of the generation it collects. A built index is a
few hundred thousand of them (spellings, keys, their dicts), none of which ever becomes garbage while it
serves; yet each full collection walked them all, and one landed inside whichever query allocated past
the threshold: over Reuters-21578 (228,000 tracked objects) a full collection took 139 ms and the
younger ones up to 2 ms, the slowest searches' time. ``settle`` collects once, then freezes what is
left (``gc.freeze``): the collector skips those objects from then on, and only what was made since is
walked. Reference counting still frees frozen objects no cycle holds; one that a cycle holds (an old
index that a rebuild replaced) is collected by the next ``settle``, which unfreezes first.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """After a bulk build or load: collect the garbage it left, then keep the survivors out of future
    collections. Costs one full collection (a fraction of a second per million tracked objects)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
