"""Time bounds on every decision.

sympy can run for minutes on an innocent-looking expression and a sum can be written with
a huge range, so each step is checked under a deadline.  In the main thread a real timer
(SIGALRM) interrupts even a long sympy call; elsewhere (a thread, a worker) the evaluator's
own checkpoints enforce the same deadline between operations.

The deadlines in force belong to the check that set them: they are held in a context
variable, so two checks in two threads (or two asyncio tasks) each see only their own.
"""

from __future__ import annotations

import contextlib
import contextvars
import signal
import threading
import time

from autograder.engine.config import strict

__all__ = ["TimeUp", "checkpoint", "deadline", "remaining", "strict"]


class TimeUp(Exception):
    """The step's time bound ran out."""


# the innermost deadline in force in this context (a thread, a task), as time.monotonic()
_END: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def checkpoint() -> None:
    """Raise TimeUp if the innermost deadline has passed (called inside long loops)."""
    end = _END.get()
    if end is not None and time.monotonic() > end:
        raise TimeUp


def remaining() -> float:
    end = _END.get()
    return end - time.monotonic() if end is not None else float("inf")


@contextlib.contextmanager
def deadline(seconds: float):
    """Run the body for at most `seconds` (nested deadlines take the earlier one)."""
    end = time.monotonic() + max(seconds, 0.001)
    outer = _END.get()
    if outer is not None:
        end = min(end, outer)
    token = _END.set(end)
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
        _END.reset(token)
        if use_timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
            if outer is not None:
                signal.setitimer(signal.ITIMER_REAL, max(outer - time.monotonic(), 0.001))
