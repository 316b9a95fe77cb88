"""Exponential backoff with jitter, for reconnecting to the server."""

import random
from typing import Callable


class Backoff:
    def __init__(self, initial: float = 0.5, maximum: float = 30.0, factor: float = 2.0,
                 jitter: float = 0.2, rand: Callable[[], float] = random.random) -> None:
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self._rand = rand
        self._next = initial

    def next_delay(self) -> float:
        """The delay before the next attempt; each call doubles the next one
        up to `maximum`. Jitter (±jitter fraction) keeps a fleet of workers
        from reconnecting in lockstep after a server restart."""
        base = self._next
        self._next = min(self._next * self.factor, self.maximum)
        spread = base * self.jitter
        return max(0.0, base - spread + 2 * spread * self._rand())

    def reset(self) -> None:
        """After a success: the next failure starts over at `initial`."""
        self._next = self.initial
