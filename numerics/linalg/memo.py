"""A cache keyed by the identity of an object that is not hashable (a :class:`Structure`).

Structures are built once per (process, n, parameters) and reused, so what is derived
from one (float enclosures of its entries, its transfer plan) is cached by identity. The
cache holds a reference to each key object, so an id is never reused while it is cached;
a hand-built structure (tests) gets its own entry instead of one of the same name.

>>> calls = []
>>> @by_identity(maxsize=2)
... def size(values):
...     calls.append(1)
...     return len(values)
>>> data = [1, 2, 3]
>>> size(data), size(data), len(calls)
(3, 3, 1)
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")


def by_identity(maxsize: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Memoise f(obj, *rest) on (id(obj), rest), least recently used first out."""

    def decorate(function: Callable[..., R]) -> Callable[..., R]:
        entries: OrderedDict[tuple, tuple[Any, R]] = OrderedDict()

        @functools.wraps(function)
        def cached(obj: Any, *rest: Any) -> R:
            key = (id(obj), *rest)
            hit = entries.get(key)
            if hit is not None and hit[0] is obj:
                entries.move_to_end(key)
                return hit[1]
            value = function(obj, *rest)
            entries[key] = (obj, value)
            if len(entries) > maxsize:
                entries.popitem(last=False)
            return value

        return cached

    return decorate
