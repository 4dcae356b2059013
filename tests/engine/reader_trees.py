r"""Syntax trees written briefly, for the reader's tests (`n("beta", 1)` is `\\beta_1`)."""

from __future__ import annotations

from autograder.engine.read.reader import read
from autograder.engine.read.tree import Add, Apply, Call, Mul, Name, Neg, Num, ReadError, Step


def n(base: str, sub=None, accent=None) -> Name:
    if isinstance(sub, str):
        sub = Num(sub) if sub.isdigit() else Name(sub)
    elif isinstance(sub, int):
        sub = Num(str(sub))
    return Name(base, sub, accent)


def num(v) -> Num:
    return Num(str(v))


def add(*terms):
    return Add(tuple(terms))


def mul(*factors):
    return Mul(tuple(factors))


def sub_(a, b):
    return Add((a, Neg(b)))


def ap(func, *args, given=()):
    f = n(func) if isinstance(func, str) else func
    return Apply(f, tuple(args), tuple(given))


def call(f, *args):
    return Call(f, tuple(args))


def one(src: str):
    """The single expression of a one-expression derivation."""
    r = read(src)
    assert r.error is None, r.error
    assert len(r.steps) == 1, r.steps
    step = r.steps[0]
    assert step.error is None, str(step.error)
    return step.expr


def steps(src: str) -> list[Step]:
    r = read(src)
    assert r.error is None, r.error
    return r.steps


x, y, z, q, k, p = (n(c) for c in "xyzqkp")
theta, tau = n("theta"), n("tau")
beta1 = n("beta", 1)
m_t = n("m", "t")


def _err(step: Step) -> ReadError:
    assert step.expr is None
    assert step.error is not None
    return step.error
