"""Warm kernels for one student's batch: each notebook's kernel is forked from a process
that has already imported ipykernel and what the course's notebooks import.

A kernel's start (ipykernel, IPython, zmq) and the setup cell's imports (numpy,
matplotlib, the `autograder` extension) cost one to two seconds of every notebook, the
same each time.  In a batch (`autograder.course.nbgrader_batch`) a *zygote* started once,
in the sandbox, as the sandbox user, imports them; nbgrader starts the kernel spec
`python3` as usual, but the batch gives it this module as the command
(`KERNEL_SPEC`, found first on `JUPYTER_PATH`): a small stdlib client that connects to
the zygote and hands it the connection file, its environment, its folder and its stdin,
stdout and stderr.  The zygote forks, and the child becomes the kernel exactly as
`python -m ipykernel_launcher -f FILE` does (`ipykernel.kernelapp.launch_new_instance`),
in a new session, with the client's environment, folder and streams, numpy's global
random state reseeded.  So every notebook still gets a fresh kernel process of its own.

The client stands for the kernel towards nbgrader: it forwards interrupts and
terminations to it, and exits when the kernel exits; when the client is killed (a kernel
that will not shut down), the kernel notices its end of the connection closing and kills
itself.  The batch's runner also kills every kernel the zygote forked when a notebook is
done.  If the zygote cannot be reached (it was never started, or the student's code
stopped it), the client simply becomes the stock `ipykernel_launcher`.

The zygote is shared by one student's notebooks only (one sandbox per student), so what a
notebook's code could do to it reaches only that student's later runs, whose grades come
from the text anyway.  Top-level imports are stdlib only: the client starts in
milliseconds (`python -I -S warm_kernel.py -f FILE`).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import threading

SOCKET = ".warm-kernel.sock"  # in the batch's scratch folder
# what the setup cells of the course's notebooks import (best effort: a module that is
# missing is simply not warmed); never the checker (the kernel checks nothing under
# `autograder grade`)
WARM_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "numpy",
    "matplotlib",
    "matplotlib.pyplot",
    "autograder",
    "autograder.notebook.magic",
    "autograder.notebook.figures",
    "autograder.learner.study",
    "autograder.course.grading",
)


def kernel_spec(folder: str) -> str:
    """Write `folder/kernels/python3/kernel.json` (put `folder` on JUPYTER_PATH): the
    stock spec's name and language, this module's client as the command."""
    target = os.path.join(folder, "kernels", "python3")
    os.makedirs(target, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-I", "-S", os.path.abspath(__file__), "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    with open(os.path.join(target, "kernel.json"), "w") as handle:
        json.dump(spec, handle)
    return folder


# ------------------------------------------------------------------ the zygote


def serve(path: str) -> None:
    """Import the warm modules, then fork a kernel for every client (never returns)."""
    import importlib

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - not warmed; the kernel imports it itself
            continue
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    listener.bind(path)
    listener.listen(16)
    listener.settimeout(1.0)
    while True:
        _reap()
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            continue
        conn.settimeout(None)
        try:
            request, fds = _receive(conn)
        except (OSError, ValueError):
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            listener.close()
            _become_kernel(conn, request, fds)
        for fd in fds:
            os.close(fd)
        conn.close()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    message, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    if len(message) < 4 or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ValueError("bad request")
    (size,) = struct.unpack("!I", message[:4])
    body = message[4:]
    while len(body) < size:
        chunk = conn.recv(size - len(body))
        if not chunk:
            raise ValueError("short request")
        body += chunk
    return json.loads(body), fds


def _become_kernel(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """The forked child: the client's session, streams, folder and environment, then the
    stock kernel (never returns)."""
    code = 1
    try:
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        conn.sendall((json.dumps({"pid": os.getpid()}) + "\n").encode())
        threading.Thread(target=_die_with_client, args=(conn,), daemon=True).start()
        if "numpy" in sys.modules:  # as a fresh import would: a random state of its own
            sys.modules["numpy"].random.seed()
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]  # as ipykernel_launcher: the kernel adds its folder back
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0
    except BaseException as error:  # noqa: BLE001 - on the kernel's stderr, exit code 1
        os.write(2, f"warm kernel: {type(error).__name__}: {error}\n".encode())
    finally:
        os._exit(code)


def _die_with_client(conn: socket.socket) -> None:
    """The client holds the other end: when it ends (killed, or exited), so do we."""
    kill, me = os.kill, os.getpid()
    try:
        while conn.recv(64):
            pass
    except OSError:
        pass
    kill(me, signal.SIGKILL)


# ------------------------------------------------------------------ the client


def client(argv: list[str]) -> int:
    """Hand this kernel's start to the zygote and stand for it; or, without a zygote,
    become the stock `ipykernel_launcher`."""
    path = os.environ.get("AUTOGRADER_WARM_KERNEL", "")
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        body = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
        socket.send_fds(conn, [struct.pack("!I", len(body)) + body[:60000]], [0, 1, 2])
        if len(body) > 60000:
            conn.sendall(body[60000:])
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                raise OSError("the zygote did not start a kernel")
            reply += chunk
        pid = int(json.loads(reply)["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        conn.close()
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except OSError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    while True:
        try:
            if not conn.recv(64):
                return 0
        except InterruptedError:
            continue
        except OSError:
            return 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2])
    sys.exit(client(sys.argv[1:]))
