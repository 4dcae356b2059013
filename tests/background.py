"""Heavy setups that wait for the main job, prepared in the background on the core the test
session leaves idle.

pytest runs one test at a time; while the main job (tests/main_job.py) builds, the two share
the machine's two cores.  Once the job is done, one core idles until the tests that need the
job run last.  A module that takes the job's output for a long setup (grading every
notebook with stock nbgrader; the instructor guide's cycle, which needs nothing of the job
but is as long) defines `prepare_in_background(tmp_path_factory)`, which calls
`start(work, ...)`: the session calls it as soon as it knows the module is selected
(tests/conftest.py, which also runs such modules last); the work waits for the job, when
the session started it, in a thread and then runs each of its units
`with Slot():`, on one core while the other tests run; the module's fixture joins it with
`result()`, which gives it a second slot for whatever is left.

The work is the same, with the same arguments, as when a fixture runs it itself: only where
and when it runs changes.  A module run on its own (no other tests left to overlap) just
waits for it with both slots.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def _wait_for_the_main_job() -> None:
    """Background work begins once the main job, when this session started it, is done:
    until then the job and the session's tests keep both cores busy."""
    from tests.main_job import start_main_job

    if start_main_job.cache_info().currsize:
        start_main_job().process.wait()


class Background:
    """Work started in background threads, each at most once, sharing `slots` cores until a
    test joins one of them (then one more)."""

    def __init__(self, slots: int = 1, wait: Callable[[], None] = _wait_for_the_main_job):
        self._slots = threading.Semaphore(slots)
        self._wait = wait
        self._stop = threading.Event()
        self._started: dict[Callable, Prepared] = {}
        self._lock = threading.Lock()
        self._joined = False

    def slot(self) -> _Slot:
        """`with slot():` around each unit of background work (one notebook graded)."""
        return _Slot(self)

    def start(self, work: Callable[..., Any], *args) -> Prepared:
        """`work(*args)` in a background thread, once (later calls give the same)."""
        with self._lock:
            if work not in self._started:
                self._started[work] = Prepared(self, work, args)
            return self._started[work]

    def joined(self) -> None:
        """A test waits for background work: the session's core is free, one more slot."""
        with self._lock:
            if not self._joined:
                self._joined = True
                self._slots.release()

    def stop(self) -> None:
        """The session is over: units of work not yet begun are not begun."""
        self._stop.set()

    def join(self) -> None:
        """Wait for the units of work already begun (no server or grader is left running
        after the session); call after `stop()` (and after stopping the main job)."""
        for prepared in list(self._started.values()):
            prepared._thread.join()


class _Slot:
    def __init__(self, owner: Background):
        self.owner = owner

    def __enter__(self):
        self.owner._slots.acquire()
        if self.owner._stop.is_set():
            self.owner._slots.release()
            raise RuntimeError("the test session ended before this background work ran")
        return self

    def __exit__(self, *exc):
        self.owner._slots.release()


class Prepared:
    def __init__(self, owner: Background, work: Callable[..., Any], args: tuple):
        self._owner = owner
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(work, args), name=f"background-{work.__name__}", daemon=True
        )
        self._thread.start()

    def _run(self, work, args):
        try:
            self._owner._wait()
            self._value = work(*args)
        except BaseException as err:  # handed to the fixture that joins
            self._error = err
        finally:
            self._done.set()

    def result(self):
        """What the work returned (or its exception, raised here), once it is done."""
        self._owner.joined()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


# the test session's: one core while other tests run, two once a test waits
SESSION = Background()
Slot = SESSION.slot
start = SESSION.start
stop = SESSION.stop
join = SESSION.join
