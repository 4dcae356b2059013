"""A JupyterLab server for the tests that drive the formgrader: started on a free port with
a token, waited for, and stopped with everything it started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, token: str):
    """(status, body) of a GET to the server with the token."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


@contextlib.contextmanager
def running_lab(argv: list[str], port: int, token: str, cwd, env: dict):
    """`argv` (a `jupyter lab` command on `port` with `token`) running until the block ends;
    fails with the server's last output if it exits or does not answer within 90 s.
    `server_log(lab)` is what the server has logged so far."""
    log = tempfile.TemporaryFile("w+")  # a pipe left unread would fill and stall the server
    lab = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
        start_new_session=True,
    )
    lab.log_file = log
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                get(port, "/api/status", token)
                break
            except OSError:
                assert lab.poll() is None, _tail(log)
                assert time.monotonic() < deadline, "JupyterLab did not start"
                time.sleep(0.3)
        yield lab
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()
        log.close()


def server_log(lab) -> str:
    """Everything the server started by `running_lab` has logged so far."""
    lab.log_file.flush()
    lab.log_file.seek(0)
    return lab.log_file.read()


def _tail(log) -> str:
    log.seek(0)
    return log.read()[-3000:]
