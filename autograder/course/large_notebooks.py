"""A submitted notebook too large to read whole: its cells, without their outputs.

A notebook's size is mostly its outputs (images, long printouts), which grading never
needs: the answers are graded from the cells' text and the notebook is run again in the
sandbox (whose first step clears every output anyway).  So a file over the whole-file
bound is not refused: `reduce_notebook` walks its JSON without building it (a memory map
and a tokenizer that takes each string whole, so a 200 MB output is one step) and keeps
every cell with its source and metadata but without `outputs` and `attachments`.  Only
what cannot be read is refused: a file over `MAX_FILE_BYTES`, JSON that is not a
notebook, or cells whose text alone is over the bound.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import stat
from pathlib import Path

MAX_FILE_BYTES = 2 * 2**30  # what is mapped and walked at all
DROPPED = (b'"outputs"', b'"attachments"')
_END = re.compile(rb"[ \t\r\n]*\Z")

_SPACE = re.compile(rb"[ \t\r\n]*")
_LITERAL = re.compile(rb'[^ \t\r\n{}\[\]:,"]+')
_PUNCTUATION = b"{}[]:,"


class _Walker:
    def __init__(self, buf) -> None:
        self.buf = buf
        self.pos = 0

    def token(self) -> tuple[bytes, int, int]:
        """The next token: (kind, start, end); kind b's' string, b'l' literal, or the
        punctuation itself."""
        buf = self.buf
        pos = _SPACE.match(buf, self.pos).end()
        first = buf[pos : pos + 1]
        if first == b'"':  # to the next quote not escaped (memchr speed: outputs are long)
            end = pos + 1
            while True:
                end = buf.find(b'"', end)
                if end < 0:
                    raise ValueError("not a notebook file (a string never ends)")
                slashes = 0
                while buf[end - 1 - slashes] == 0x5C:
                    slashes += 1
                end += 1
                if slashes % 2 == 0:
                    self.pos = end
                    return b"s", pos, end
        if first and first in _PUNCTUATION:
            self.pos = pos + 1
            return first, pos, pos + 1
        match = _LITERAL.match(buf, pos)
        if match is None:
            raise ValueError(f"not a notebook file (invalid JSON near byte {pos})")
        self.pos = match.end()
        return b"l", pos, match.end()

    def expect(self, kind: bytes) -> tuple[int, int]:
        found, start, end = self.token()
        if found != kind:
            raise ValueError(f"not a notebook file (invalid JSON near byte {start})")
        return start, end

    def value(self) -> tuple[int, int]:
        """Skip one value; its span."""
        kind, start, end = self.token()
        if kind in (b"s", b"l"):
            return start, end
        if kind not in (b"{", b"["):
            raise ValueError(f"not a notebook file (invalid JSON near byte {start})")
        depth = 1
        while depth:
            kind, _, end = self.token()
            if kind in (b"{", b"["):
                depth += 1
            elif kind in (b"}", b"]"):
                depth -= 1
        return start, end

    def members(self):
        """The (key span, value start) pairs of the object that starts here; the caller
        reads each value (with `value`, or by descending) before asking for the next."""
        self.expect(b"{")
        kind, start, end = self.token()
        if kind == b"}":
            return
        while True:
            if kind != b"s":
                raise ValueError(f"not a notebook file (invalid JSON near byte {start})")
            self.expect(b":")
            yield start, end
            kind, start, end = self.token()
            if kind == b"}":
                return
            if kind != b",":
                raise ValueError(f"not a notebook file (invalid JSON near byte {start})")
            kind, start, end = self.token()


def reduce_notebook(buf, limit: int) -> tuple[bytes, int]:
    """The notebook in `buf` (bytes or a memory map) as JSON bytes without its cells'
    outputs and attachments, and how many outputs were dropped.  Raises ValueError (in
    words) when it is not a notebook or its text alone is over `limit` bytes."""
    walker = _Walker(buf)
    top: list[bytes] = []
    dropped = 0
    size = 0

    def keep(piece: bytes) -> bytes:
        nonlocal size
        size += len(piece)
        if size > limit:
            raise ValueError(
                f"its cells' text alone is larger than {limit // 2**20} MB (outputs left out)"
            )
        return piece

    for key_start, key_end in walker.members():
        key = bytes(buf[key_start:key_end])
        if key != b'"cells"':
            start, end = walker.value()
            top.append(keep(key + b":" + bytes(buf[start:end])))
            continue
        walker.expect(b"[")
        cells: list[bytes] = []
        kind, start, end = walker.token()
        while kind != b"]":
            if kind == b",":
                kind, start, end = walker.token()
                continue
            if kind != b"{":
                raise ValueError("not a notebook file (a cell is not an object)")
            walker.pos = start
            parts = []
            for cell_key_start, cell_key_end in walker.members():
                cell_key = bytes(buf[cell_key_start:cell_key_end])
                value_start, value_end = walker.value()
                if cell_key in DROPPED:
                    if cell_key == b'"outputs"' and value_end - value_start > 2:
                        dropped += 1
                    parts.append(cell_key + (b":[]" if cell_key == b'"outputs"' else b":{}"))
                else:
                    parts.append(keep(cell_key + b":" + bytes(buf[value_start:value_end])))
            cells.append(b"{" + b",".join(parts) + b"}")
            kind, start, end = walker.token()
        top.append(b'"cells":[' + b",".join(cells) + b"]")
    if _END.match(buf, walker.pos) is None:
        raise ValueError("not a notebook file (text after the notebook)")
    return b"{" + b",".join(top) + b"}", dropped


def read_large(path: Path, limit: int) -> tuple[bytes, str, int]:
    """A regular file over the whole-file bound: its reduced JSON (`reduce_notebook`), the
    sha256 of the whole file, and how many outputs were left out.  OSError when it cannot
    be read (a symlink, not a regular file, over `MAX_FILE_BYTES`)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{Path(path).name} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise OSError(f"{Path(path).name} is larger than {MAX_FILE_BYTES // 2**30} GB")
        if info.st_size == 0:
            raise OSError(f"{Path(path).name} is empty")
        with mmap.mmap(fd, info.st_size, prot=mmap.PROT_READ) as buf:
            digest = hashlib.sha256(buf).hexdigest()
            reduced, dropped = reduce_notebook(buf, limit)
    finally:
        os.close(fd)
    return reduced, digest, dropped


def read_submission(path: Path, limit: int, read_small) -> tuple[str, object, list[str]]:
    """(sha256 of the file, notebook, notes) of a submitted notebook: `read_small(path,
    limit)` reads a file within the bound whole; a larger one is read without its outputs
    (`read_large`), and a note says so.  OSError or ValueError when it cannot be read."""
    from autograder.course.submissions import read_notebook

    try:
        raw = read_small(path, limit)
    except TooLarge:
        reduced, digest, dropped = read_large(path, limit)
        nb, notes = read_notebook(reduced)
        notes.insert(
            0,
            f"the file is larger than {limit // 2**20} MB: its cells were read without their "
            f"outputs ({dropped} left out; the notebook is run again for grading anyway)",
        )
        return digest, nb, notes
    digest = hashlib.sha256(raw).hexdigest()
    nb, notes = read_notebook(raw)
    return digest, nb, notes


class TooLarge(OSError):
    """A file over the whole-file bound (read it with `read_large`)."""


def sha256_file(path: Path) -> str:
    """The sha256 of a regular file (no symlink followed) up to `MAX_FILE_BYTES`, read in
    blocks: the same as `read_submission`'s."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{Path(path).name} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise OSError(f"{Path(path).name} is larger than {MAX_FILE_BYTES // 2**30} GB")
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()
