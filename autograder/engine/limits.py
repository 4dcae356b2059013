"""Time bounds on every decision.

sympy can run for minutes on an innocent-looking expression and a sum can be written with
a huge range, so each step is checked under a deadline.  In the main thread a real timer
(SIGALRM) interrupts even a long sympy call; elsewhere (a thread, a worker) the evaluator's
own checkpoints enforce the same deadline between operations.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time


class TimeUp(Exception):
    """The step's time bound ran out."""


_deadline: list[float] = []


def checkpoint() -> None:
    """Raise TimeUp if the innermost deadline has passed (called inside long loops)."""
    if _deadline and time.monotonic() > _deadline[-1]:
        raise TimeUp


def remaining() -> float:
    return _deadline[-1] - time.monotonic() if _deadline else float("inf")


@contextlib.contextmanager
def deadline(seconds: float):
    """Run the body for at most `seconds` (nested deadlines take the earlier one)."""
    end = time.monotonic() + max(seconds, 0.001)
    if _deadline:
        end = min(end, _deadline[-1])
    _deadline.append(end)
    use_timer = threading.current_thread() is threading.main_thread() and hasattr(
        signal, "setitimer"
    )
    previous_handler = None
    if use_timer:

        def on_alarm(signum, frame):
            raise TimeUp

        previous_handler = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(end - time.monotonic(), 0.001))
    try:
        yield
    finally:
        _deadline.pop()
        if use_timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
            if _deadline:
                signal.setitimer(signal.ITIMER_REAL, max(_deadline[-1] - time.monotonic(), 0.001))


def strict() -> bool:
    """Strict mode (`AUTOGRADER_STRICT=1`, set by the test suite): the places that turn an
    internal error into a message for the learner raise it instead, so tests see it."""
    return os.environ.get("AUTOGRADER_STRICT") == "1"
