"""Building sympy expressions unevaluated without wiping sympy's cache.

A line's structure as written and its "read as" line are built with sympy's evaluation
off (`sp.evaluate(False)`: `q p / q` stays `q p / q`).  sympy's cache does not record
that flag, so sympy clears its whole cache each time the flag flips -- twice per line of
every check -- and every later `Mul`, `Pow` or assumption query starts cold: most of
what a warm check spent resolving lines and comparing them symbolically.

`unevaluated()` turns evaluation off without clearing: each of sympy's cached functions
gets a second cache for unevaluated calls, and a call is served from the cache of the
mode it is made in.  An entry made with evaluation off is never seen with it on and the
other way round -- exactly as with clearing -- and both caches keep their entries across
the switch.  The flag is sympy's own (per thread); anything else that flips it, or
clears the cache, still does so on both caches.  If sympy's cache is not the structure
this expects (caching off, its debug mode, another version), `unevaluated()` is
`sp.evaluate(False)`.
"""

from __future__ import annotations

import contextlib
import functools
import threading

from sympy.core import cache as _cache
from sympy.core.parameters import evaluate as _evaluate
from sympy.core.parameters import global_parameters

__all__ = ["unevaluated"]

_LOCK = threading.Lock()
_done = 0  # how many of sympy's cached functions (`cache.CACHE`) have two caches
_usable = True
_set_flag = threading.local.__setattr__  # the flag set without sympy's clearing


def _split(wrapper, fresh: bool) -> bool:
    """Give one of sympy's cached functions a cache per mode; `fresh`: its cache may hold
    entries of either mode (it was made while evaluation was off), so it starts empty."""
    code = getattr(wrapper, "__code__", None)
    if code is None or code.co_freevars != ("cfunc", "func") or wrapper.__closure__ is None:
        return False
    cell = wrapper.__closure__[0]
    evaluated = cell.cell_contents
    if getattr(evaluated, "_two_modes", False):
        return True
    if not hasattr(evaluated, "cache_info"):
        return False
    maxsize = evaluated.cache_info().maxsize
    unevaluated = functools.lru_cache(maxsize, typed=True)(wrapper.__wrapped__)
    if fresh:
        evaluated.cache_clear()

    def cfunc(*args, **kwargs):
        if global_parameters.evaluate:
            return evaluated(*args, **kwargs)
        return unevaluated(*args, **kwargs)

    def clear() -> None:
        evaluated.cache_clear()
        unevaluated.cache_clear()

    cfunc._two_modes = True
    wrapper.cache_clear = clear  # first: a clear must reach both caches once both exist
    cell.cell_contents = cfunc
    return True


def _split_new(fresh: bool) -> bool:
    """Split the cached functions sympy made since the last call (modules it imports on
    first use add theirs); False when one cannot be split (then nothing may skip a clear)."""
    global _done, _usable
    with _LOCK:
        while _usable and _done < len(_cache.CACHE):
            _usable = _split(_cache.CACHE[_done], fresh)
            _done += 1
        return _usable


@contextlib.contextmanager
def unevaluated():
    """`with sp.evaluate(False)`, keeping sympy's cache (see the module's docstring)."""
    if global_parameters.evaluate is False or not _split_new(fresh=False):
        with _evaluate(False):
            yield
        return
    _set_flag(global_parameters, "evaluate", False)
    try:
        yield
    finally:
        _set_flag(global_parameters, "evaluate", True)
        # functions sympy made meanwhile may hold unevaluated entries in their one cache
        if not _split_new(fresh=True):
            _cache.clear_cache()
