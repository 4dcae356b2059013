"""What the resolver raises: a line it cannot read, an operation undefined at the declared
sizes, a name the problem does not declare (each said in words, at its position).

Apart from the walk so that what catches them (the pipeline, the declarations, "read
as") imports no resolver.
"""

from __future__ import annotations


class ResolveError(Exception):
    def __init__(self, message: str, pos: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


class UndefinedSizes(ResolveError):
    """An operation undefined at the declared sizes (`sizes`: the two size keys whose
    equality would define it, from the kind's algebra): a wrong line, judged so
    (`decide/sizes.py`), not an unreadable one."""

    def __init__(self, message: str, pos: int, sizes: tuple[str, str]) -> None:
        super().__init__(message, pos)
        self.sizes = sizes


class UnknownName(ResolveError):
    """A name (or a function applied) the context does not declare; `node` is what was
    written, so a caller can say which declaration would make it known."""

    def __init__(self, message: str, pos: int, node) -> None:
        super().__init__(message, pos)
        self.node = node
