r"""`A = B + \text{const}` confirmed by this test's own reader: A − B (every constant read
as 0) must be the same for every value of the problem's variable, here the parameter θ of
own_reader's softmax model of a dataset (`softmax(Φθ)`, Φ drawn by own_reader), moved to
θ = 0, a large θ and a small one with the data and Φ kept (the checker's reading and
instances are not used)."""

from __future__ import annotations

import mpmath

from tests.engine.own_parser import Unknown

# the other values of θ (the model's two components) the difference is compared at
THETAS = [(0, 0), (3, -2), (-1, 1 / 4), (1 / 10**6, 7)]


def has_constant(e) -> bool:
    if isinstance(e, tuple):
        if e == ("const",):
            return True
        return any(has_constant(p) for p in e[1:])
    if isinstance(e, list):
        return any(has_constant(p) for p in e)
    return False


# θ's other values when θ is a number (gaussian_posterior's): 0, each side of it, far out
POINTS = [0, 1 / 2, -3, 7 / 4, 5]


def _moves(w, variable):
    """Each way of moving the variable this world knows, in turn."""
    if w.model_param is not None and w.model_param[0] == variable:
        return [lambda t=t: w.set_model([mpmath.mpf(c) for c in t]) for t in THETAS]
    if w.posterior is not None and w.posterior.theta == variable:
        return [lambda t=t: w.scalars.__setitem__(variable, mpmath.mpf(t)) for t in POINTS]
    raise Unknown("a constant or a ∝ beside no variable this test moves")


def holds(make_world, left, right, variable: str | None, ratio: bool = False) -> bool | None:
    r"""True when A − B (with `ratio`, A / B: `\propto`) is the same at every θ (a tie at 60
    and at 130 digits), False when it differs at both precisions, None where undefined."""
    verdicts = []
    for digits in (60, 130):
        with mpmath.workdps(digits):
            w = make_world()
            moves = _moves(w, variable)
            env = {"__const__": mpmath.mpf(0)}

            def gap(w=w, env=env):
                a, b = w.value(left, env), w.value(right, env)
                if not ratio:
                    return a - b
                if b == 0 or a == 0:
                    raise ZeroDivisionError
                return a / b

            try:
                base = gap()
                gaps = []
                for move in moves:
                    move()
                    other = gap()
                    scale = max(abs(base), abs(other), 1)
                    gaps.append(abs(other - base) / scale)
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return None
            if isinstance(base, list):
                raise Unknown("a constant beside a vector")
            verdicts.append(max(gaps) <= mpmath.mpf(10) ** (20 - digits))
    if verdicts[0] != verdicts[1]:
        return None
    return verdicts[0]
