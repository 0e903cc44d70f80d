"""The garbage collector and the index: a built index is long-lived, so it is kept out of collections.

CPython's cyclic collector walks every tracked object of the generation it collects. A built index is a
few hundred thousand of them (spellings, keys, their dicts), none of which ever becomes garbage while it
serves; yet each full collection walked them all, and one landed inside whichever query allocated past
the threshold: over Reuters-21578 (228,000 tracked objects) a full collection took 139 ms and the
younger ones up to 2 ms, the slowest searches' time. ``settle`` collects what is not frozen yet, then
freezes what is left (``gc.freeze``): the collector skips those objects from then on, and each later
``settle`` walks only what was made since. Reference counting still frees frozen objects no cycle holds.
One that a cycle holds is freed only by ``settle(replaced=True)``, which unfreezes everything first and so
walks the whole heap once: for a rebuild that replaces a frozen index (the old one holds itself in cycles:
its expander keeps its bound methods). Walking the whole heap at every settle made the test suite, a
process that opens hundreds of indexes, three times slower.
"""

from __future__ import annotations

import gc


def settle(replaced: bool = False) -> None:
    """After a bulk build or load: collect the garbage it left, then keep the survivors out of future
    collections. ``replaced``: a frozen structure was replaced (a rebuild) and must be freed too, which
    costs a collection of the whole heap (a fraction of a second per million objects)."""
    if replaced:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
