"""Work prepared in the background (tests/background.py): one slot while the session runs
other tests, a second once a test waits; each work runs once; its exception reaches the test
that waits; after the session stops, no unit of work begins."""

from __future__ import annotations

import threading
import time

import pytest

from tests.background import Background


def _pool() -> Background:
    return Background(slots=1, wait=lambda: None)


def test_one_unit_at_a_time_until_a_test_waits_then_two():
    pool = _pool()
    running, most = [0], [0]
    lock = threading.Lock()
    gate = threading.Event()

    def unit():
        with pool.slot():
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            gate.wait(5)
            time.sleep(0.2)
            with lock:
                running[0] -= 1

    def work(n):
        threads = [threading.Thread(target=unit) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return most[0]

    prepared = pool.start(work, 2)
    time.sleep(0.3)
    assert running[0] == 1  # the second unit waits for the slot
    assert pool.start(work, 2) is prepared  # started once
    gate.set()
    prepared._done.wait(10)  # done without a test waiting: one unit at a time throughout
    assert prepared.result() == 1
    most[0] = 0
    assert pool.start(lambda: work(2)).result() == 2  # joined: two slots


def test_the_works_exception_is_raised_where_a_test_waits():
    pool = _pool()

    def work():
        with pool.slot():
            raise ValueError("the setup failed")

    with pytest.raises(ValueError, match="the setup failed"):
        pool.start(work).result()


def test_after_stop_no_unit_begins_and_join_returns():
    pool = _pool()
    began = []

    def work():
        with pool.slot():
            began.append(1)

    pool.stop()
    prepared = pool.start(work)
    pool.join()
    assert began == []
    with pytest.raises(RuntimeError, match="ended before"):
        prepared.result()
