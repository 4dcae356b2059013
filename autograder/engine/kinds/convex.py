r"""A convex function with a minimiser, and stochastic (sub)gradient descent on it.

`% let f convex on \mathbb{R}^n, minimiser x^*, x_{t+1} = x_t - \eta g_t for t \le T,
\|x_1 - x^*\| \le D, \mathbb{E}\|g_t\|^2 \le G^2` declares f, its minimiser x^*, the
iterates x_1, …, x_{T+1} from a start x_1, the stochastic gradients g_1, …, g_T, and the
two bounds D and G.

An instance draws f as a sum of convex pieces anchored at x^* (f(x) = c + Σ h(x − x^*),
each h convex with its minimum 0 at 0): a max of affine pieces (piecewise linear, not
differentiable at x^*), a sum of |c·u| (linear pieces), a PSD quadratic of low rank (flat
along a subspace: many minimisers), a softplus sum.  g_t is a subgradient of f at x_t plus
zero-mean discrete noise (K outcomes per step, a random law, independent across steps), so
`\mathbb{E}[g_t \mid x_t] \in \partial f(x_t)`; every noise path of the first steps is
enumerated (K^m paths, at most 729), so an expectation is an exact finite sum; later steps
(long horizons in a search) take the subgradient itself.  The iterates are recomputed for
whatever η the evaluator passes (perturbed copies along PERT too).

The hypotheses are rules the draw obeys: D ≥ ‖x_1 − x^*‖ and G² ≥ E‖g_t‖² for t = 1 … T,
with random slack, and with equality in a tight case (G is recomputed for each η, since
the iterates move with it).  Other tight cases: each family alone, no noise, and where the
scale the draws assume does not hold: f and the noise 1000 times steeper, a start within
10^{-3} of x^* (where a max of affine pieces is far above any quadratic).

`t` is an integer the declaration implies (a line about one step, `\|x_{t+1} - x^*\|^2`)
and the index `\sum_t` runs over, 1 … T; x_{T+2} and g_{T+1} do not exist (the problem
runs T steps), and a line naming them is outside its domain on that instance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import OMEGA, PERT, RANK, EvalError, along, const, to_index
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt, fmt_vector
from autograder.engine.kinds.omega import random_law
from autograder.engine.kinds.vectors import FixedVector, size_integer, size_of
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key
from autograder.engine.read.pyform import name_latex


@dataclass(frozen=True)
class ConvexSGD:
    """f convex on R^size with minimiser `star`; SGD iterates `iterate`_t with stochastic
    gradients `gradient`_t and step `step` for t ≤ `horizon`; the bounds `radius` (D) and
    `bound` (G).  Names are lookup keys (`x^*` is "xstar")."""

    f: str
    size: str
    star: str = ""
    iterate: str = ""
    gradient: str = ""
    step: str = ""
    horizon: str = ""
    radius: str = ""
    bound: str = ""


DESCRIPTION = "convex problem"
MAX_PATHS = 729
LINEAR = "f piecewise linear (a max of affine pieces and |c·u| terms), not smooth at x^*"
RANK1 = "f a quadratic of rank 1 (flat in the other directions)"
SOFTPLUS = "f a sum of softplus terms (smooth, nearly linear far away)"
NOISELESS = "g_t the subgradient itself (no noise)"
TIGHT = "the hypotheses with equality: D = ‖x_1 − x^*‖, G² = max_t E‖g_t‖²"
# where the scale the draws assume does not hold
STEEP = "f and the noise 1000 times larger (slopes of size 1000)"
NEAR = "the start within 10^{-3} of x^* (where f's linear pieces dominate its curvature)"


class SGDTerm(ir.Opaque):
    """`x_t` or `g_t`: SGDTerm(x, t), a vector on each noise path."""

    def _latex(self, printer):
        return rf"{printer._print(self.args[0])}_{{{printer._print(self.args[1])}}}"


class ConvexValue(ir.Opaque):
    """`f(v)`: ConvexValue(f, v) of a vector v."""

    is_real = True

    def _latex(self, printer):
        return rf"{printer._print(self.args[0])}\left({printer._print(self.args[1])}\right)"


# ------------------------------------------------------------------ the function drawn


def _pieces(rng: np.random.Generator, n: int, family: str) -> list[tuple[str, tuple]]:
    pieces = []
    if family == "linear":
        m = int(rng.integers(2, 4))
        lam = rng.uniform(0.3, 1.0, size=m)
        a = rng.normal(size=(m, n)) * 1.2
        a[-1] = -(lam[:-1] @ a[:-1]) / lam[-1]  # 0 is in the pieces' hull: min at u = 0
        pieces.append(("max", (a,)))
        c = rng.normal(size=(int(rng.integers(1, 3)), n))
        pieces.append(("abs", (c, rng.uniform(0.2, 1.0, size=c.shape[0]))))
    elif family == "rank1":
        b = rng.normal(size=(n, 1)) * rng.uniform(0.5, 1.5)
        pieces.append(("quad", (b,)))
    elif family == "quad":
        r = int(rng.integers(1, n + 1))
        pieces.append(("quad", (rng.normal(size=(n, r)) * 0.8,)))
    elif family == "softplus":
        m = int(rng.integers(2, 4))
        w = rng.uniform(0.3, 1.5, size=m)
        a = rng.normal(size=(m, n)) * 1.5
        a[-1] = -(w[:-1] @ a[:-1]) / w[-1]  # Σ w_k a_k = 0: the gradient vanishes at u = 0
        pieces.append(("softplus", (a, w)))
    return pieces


def _value(pieces, u: np.ndarray) -> np.ndarray:
    total = np.zeros(u.shape[:-1])
    for kind, p in pieces:
        if kind == "max":
            total = total + (u @ p[0].T).max(axis=-1)
        elif kind == "abs":
            total = total + np.abs(u @ p[0].T) @ p[1]
        elif kind == "quad":
            total = total + 0.5 * ((u @ p[0]) ** 2).sum(axis=-1)
        elif kind == "softplus":
            total = total + (np.logaddexp(0.0, u @ p[0].T) - np.log(2.0)) @ p[1]
    return total


def _subgradient(pieces, u: np.ndarray) -> np.ndarray:
    total = np.zeros(u.shape)
    for kind, p in pieces:
        if kind == "max":
            a = p[0]
            total = total + a[np.argmax(u @ a.T, axis=-1)]
        elif kind == "abs":
            total = total + (np.sign(u @ p[0].T) * p[1]) @ p[0]
        elif kind == "quad":
            total = total + (u @ p[0]) @ p[0].T
        elif kind == "softplus":
            a, w = p
            total = total + (w / (1.0 + np.exp(-np.clip(u @ a.T, -500, 500)))) @ a
    return total


def _describe_pieces(pieces) -> str:
    words = {
        "max": "a max of {} affine pieces",
        "abs": "a sum of {} terms |c·u|",
        "quad": "a PSD quadratic ½‖Bᵀu‖² of rank {}",
        "softplus": "a sum of {} softplus terms",
    }
    out = []
    for kind, p in pieces:
        count = p[0].shape[1] if kind == "quad" else p[0].shape[0]
        out.append(words[kind].format(count))
    return " + ".join(out) + " of u = x − x^*"


class World:
    """One convex problem and its SGD run, every noise path of it."""

    def __init__(self, inst: Instance, decl: ConvexSGD) -> None:
        rng = inst.rng
        n = size_of(inst, decl.size)
        edge = inst.edge_case()
        self.steps = max(1, int(inst.scalars[decl.horizon].real)) if decl.horizon else 1
        family = {LINEAR: "linear", RANK1: "rank1", SOFTPLUS: "softplus"}.get(edge)
        if family is None:
            names = ["linear", "quad", "softplus"]
            chosen = rng.choice(3, size=int(rng.integers(1, 3)), replace=False)
            families = [names[k] for k in sorted(chosen)]
        else:
            families = [family]
        self.pieces = [p for fam in families for p in _pieces(rng, n, fam)]
        self.star = rng.normal(size=n)
        self.floor = float(rng.normal())
        self.scale = 1000.0 if edge == STEEP else 1.0
        self.start = self.star + rng.normal(size=n) * rng.uniform(0.7, 2.0)
        if edge == NEAR:
            self.start = self.star + 1e-3 * rng.normal(size=n) / np.sqrt(n)
        k = int(rng.choice([2, 3]))
        noisy = 0
        while noisy < self.steps and k ** (noisy + 1) <= MAX_PATHS:
            noisy += 1
        self.k, self.noisy = k, noisy
        self.weights, self.noise = [], []
        scale = 0.0 if edge == NOISELESS else float(rng.uniform(0.3, 1.5)) * self.scale
        for _ in range(noisy):
            w = random_law(rng, k)
            z = rng.normal(size=(k, n)) * scale
            self.weights.append(w)
            self.noise.append(z - w @ z)  # zero mean under w
        paths = k**noisy
        law = np.ones(1)
        for w in self.weights:  # outcome of step t is digit t-1 (step 1 the slowest)
            law = np.multiply.outer(law, w).reshape(-1)
        self.law = law
        self.digits = [(np.arange(paths) // k ** (noisy - 1 - j)) % k for j in range(noisy)]
        self.block = inst.omega.add_block(law)
        self.inst = inst
        tight = edge == TIGHT
        self.slack_d = 1.0 if tight else 1.0 + float(rng.uniform(0.0, 0.5))
        self.slack_g = 1.0 if tight else 1.0 + float(rng.uniform(0.0, 0.5))
        self.radius = float(np.linalg.norm(self.start - self.star)) * self.slack_d
        self._runs: dict[float, tuple[np.ndarray, np.ndarray, float]] = {}
        self._stacked: dict[tuple, np.ndarray] = {}
        self._indexed: dict[tuple, tuple] = {}  # `_indices`, by the index values
        self._outcomes: tuple[int, np.ndarray] | None = None
        self.decl = decl
        eta = inst.scalars.get(decl.step)
        g_text = ""
        if eta is not None:
            g_text = f", G = {fmt(self._run(float(eta.real))[2])} at η = {fmt(eta)}"
        noise = (
            "none"
            if scale == 0.0
            else f"{k} outcomes a step for the first {noisy} steps (every path enumerated)"
        )
        inst.description[DESCRIPTION] = (
            f"f(x) = {fmt(self.floor)} + {'1000 × (' if self.scale != 1 else ''}"
            f"{_describe_pieces(self.pieces)}{')' if self.scale != 1 else ''}; "
            f"x^* = {fmt_vector(self.star)}; x_1 = {fmt_vector(self.start)}; "
            f"noise on g_t: {noise}; D = {fmt(self.radius)}{g_text}"
        )

    def f(self, v: np.ndarray) -> np.ndarray:
        return self.floor + self.scale * _value(self.pieces, v - self.star)

    def _run(self, eta: float) -> tuple[np.ndarray, np.ndarray, float]:
        """Iterates x_1 … x_{T+1}, gradients g_1 … g_T on every path (rows by index, row 0
        unused), and G for this η."""
        found = self._runs.get(eta)
        if found is not None:
            return found
        n, steps, paths = len(self.star), self.steps, len(self.law)
        xs = np.full((steps + 2, paths, n), np.nan)
        gs = np.full((steps + 2, paths, n), np.nan)
        x = np.broadcast_to(self.start, (paths, n)).copy()
        for t in range(1, steps + 1):
            xs[t] = x
            g = self.scale * _subgradient(self.pieces, x - self.star)
            if t <= self.noisy:
                g = g + self.noise[t - 1][self.digits[t - 1]]
            gs[t] = g
            x = x - eta * g
        xs[steps + 1] = x
        second = (self.law[None, :] * (gs[1 : steps + 1] ** 2).sum(axis=-1)).sum(axis=1)
        bound = float(np.sqrt(second.max())) * self.slack_g
        if len(self._runs) > 64:
            self._runs.clear()
        self._runs[eta] = found = (xs, gs, bound)
        return found

    def etas(self, evaluator, env) -> list[float]:
        """The step's values: one, or perturbed copies along PERT."""
        eta = evaluator.scalar(self.decl.step, env)
        if eta.size == 1:
            return [float(eta.real.item())]
        if eta.size != eta.shape[PERT]:
            raise EvalError("the step η varies along more than one axis")
        return [float(v) for v in eta.real.reshape(-1)]

    def _indices(self, which: str, idx: np.ndarray):
        """(the integer indices, which are integers, which lie outside the run, whether
        any does, whether every index is a term), kept by the index values: a sum's index
        takes the same values at every instance and every evaluation."""
        key = (which, idx.dtype.str, idx.shape, idx.tobytes())
        found = self._indexed.get(key)
        if found is None:
            ints, ok = to_index(idx)
            last = self.steps + 1 if which == "x" else self.steps
            outside = ok & ((ints < 1) | (ints > last))
            found = (ints, ok, outside, bool(outside.any()), bool((ok & ~outside).all()))
            if len(self._indexed) > 256:
                self._indexed.clear()
            self._indexed[key] = found
        return found

    def term(self, which: str, idx: np.ndarray, evaluator, env) -> np.ndarray:
        ints, ok, outside, any_outside, all_valid = self._indices(which, idx)
        name = self.decl.iterate if which == "x" else self.decl.gradient
        if any_outside:
            k = int(ints[outside].reshape(-1)[0])
            horizon = name_latex(self.decl.horizon)
            listed = f"{name}_1, …, {name}_{{{horizon}{'+1' if which == 'x' else ''}}}"
            evaluator.undefined(f"{name}_{{{k}}} is not one of {listed} (here T = {self.steps})")
        etas = self.etas(evaluator, env)
        tables = self._tables(which, etas)
        if ints.size == 1 and len(etas) == 1:  # one index (the usual case): one row
            row = tables[0, int(ints.reshape(-1)[0]) if all_valid else 0]
            picked = self._laid_out(row)
            return picked if all_valid else np.full_like(picked, np.nan)
        outcome = self._outcome()
        pert = along(PERT, np.arange(len(etas))).real.astype(np.int64) if len(etas) > 1 else 0
        if all_valid:  # numpy broadcasts the index arrays itself
            return tables[pert, ints, outcome]
        valid = ok & ~outside
        picked = tables[pert, np.where(valid, ints, 0), outcome]
        return np.where(valid[..., None], picked, np.nan)

    def _tables(self, which: str, etas: list[float]) -> np.ndarray:
        """The rows of x (or g) for each η, stacked: (η, index, path, component), complex."""
        key = (which, tuple(etas))
        found = self._stacked.get(key)
        if found is None:
            if len(self._stacked) > 64:
                self._stacked.clear()
            part = 0 if which == "x" else 1
            found = np.stack([self._run(e)[part] for e in etas]).astype(complex)
            self._stacked[key] = found
        return found

    def _outcome(self) -> np.ndarray:
        """Each outcome of the instance's probability space's path of this block (read once
        every block is added: the product changes with each)."""
        omega = self.inst.omega
        if self._outcomes is None or self._outcomes[0] != omega.size:
            index = along(OMEGA, omega.outcome_of(self.block)).real.astype(np.int64)
            self._outcomes = (omega.size, index)
        return self._outcomes[1]

    def _laid_out(self, row: np.ndarray) -> np.ndarray:
        """One row (path, component) as a vector along OMEGA."""
        if len(self.inst.omega.blocks) == 1:
            shape = [1] * RANK
            shape[OMEGA] = row.shape[0]
            return row.reshape((*shape, row.shape[1]))
        return row[self._outcome()]

    def bound(self, evaluator, env) -> np.ndarray:
        etas = self.etas(evaluator, env)
        values = [self._run(e)[2] for e in etas]
        if len(values) == 1:
            return const(values[0])
        return along(PERT, values)


class Bound:
    """The handler of D or G: a scalar the draw sets (G moves with η)."""

    def __init__(self, world: World, which: str) -> None:
        self.world, self.which = world, which

    def value(self, evaluator, env) -> np.ndarray:
        if self.which == "D":
            return const(self.world.radius)
        return self.world.bound(evaluator, env)


class Function:
    def __init__(self, world: World) -> None:
        self.world = world


def _evaluate_term(evaluator, expr, env) -> np.ndarray:
    name, t = expr.args
    world = evaluator.inst.handlers[f"__sgd__{name.name}"]
    which = "x" if name.name == world.decl.iterate else "g"
    return world.term(which, evaluator.ev(t, env), evaluator, env)


def _evaluate_value(evaluator, expr, env) -> np.ndarray:
    name, arg = expr.args
    world = evaluator.inst.handlers[f"__sgd__{name.name}"]
    v = evaluator.ev(arg, env)
    n = len(world.star)
    if v.ndim != RANK + 1 or v.shape[-1] not in (1, n):
        raise EvalError(f"{name.name} takes a vector of length {n}")
    real = np.broadcast_to(v, v.shape[:-1] + (n,))
    bad = np.isnan(real).any(axis=-1)
    value = world.f(np.where(np.isnan(real), 0.0, real.real))
    return np.where(bad, np.nan, value).astype(complex)


# ------------------------------------------------------------------ `% let` forms


def _convex(s, previous) -> ConvexSGD:
    return ConvexSGD(s.name.key, s.size.key)


def _minimiser(s, previous: ConvexSGD) -> ConvexSGD:
    return replace(previous, star=s.name.key)


def _plain(node, what: str) -> str:
    if not isinstance(node, sx.Name) or node.sub is not None or node.accent is not None:
        raise ValueError(f"write the {what} as a plain name")
    return name_key(node)


def _at_t(node) -> str | None:
    if isinstance(node, sx.Name) and isinstance(node.sub, sx.Name) and node.sub.base == "t":
        if node.accent is None and node.sub.sub is None:
            return node.base
    return None


def _recurrence(s, previous: ConvexSGD) -> ConvexSGD:
    """`x_{t+1} = x_t - \\eta g_t for t \\le T`: the right side read as x_t − η g_t."""
    node = s.expr.node
    example = r"`x_{t+1} = x_t - \eta g_t for t \le T`"
    terms = node.terms if isinstance(node, sx.Add) else ()
    if len(terms) != 2 or not isinstance(terms[1], sx.Neg):
        raise ValueError(f"write the step as {example}")
    product = terms[1].arg
    factors = product.factors if isinstance(product, sx.Mul) else ()
    if len(factors) != 2 or _at_t(terms[0]) != s.name.key or _at_t(factors[1]) is None:
        raise ValueError(f"write the step as {example}")
    return replace(
        previous,
        iterate=s.name.key,
        gradient=_at_t(factors[1]),
        step=_plain(factors[0], "step"),
        horizon=s.name2.key,
    )


def _radius(s, previous: ConvexSGD) -> ConvexSGD:
    if previous.star and s.name2.key != previous.star:
        raise ValueError(f"bound the distance from the start to the minimiser `{s.name2.latex}`")
    return replace(previous, radius=s.name3.key)


def _gradient_bound(s, previous: ConvexSGD) -> ConvexSGD:
    return replace(previous, bound=s.name2.key)


def _reader(which: sp.Symbol):
    def read(resolver, node, scope):
        if node.accent is not None:
            return None
        return SGDTerm(which, resolver.resolve(node.sub, scope))

    return read


def _call(f: sp.Symbol):
    def call(resolver, node, scope):
        if len(node.args) != 1 or node.given:
            return None
        return ConvexValue(f, resolver.resolve(node.args[0], scope))

    return call


NEEDS = r"f convex on \mathbb{R}^n"


class ConvexKind(Kind):
    declaration = ConvexSGD
    defaults = (
        "f = c + a sum of one or two convex pieces of x − x^* (a max of 2–3 affine pieces "
        "with |c·u| terms, a PSD quadratic of rank 1 to n, a softplus sum), slopes of size "
        "about 1; x^* and x_1 − x^* normal; the noise on g_t on 2 or 3 points a step of a "
        "random law, every path of up to 729 enumerated; D and G with slack up to 50%; "
        "in tight cases each family alone, no noise, both bounds with equality, f and the "
        "noise 1000 times larger, and a start within 10^{-3} of x^*"
    )
    nodes = {
        SGDTerm: ir.NodeRule(evaluate=_evaluate_term, describes=DESCRIPTION, vector=True),
        ConvexValue: ir.NodeRule(evaluate=_evaluate_value, describes=DESCRIPTION),
    }
    let = (
        LetForm(
            r"<name> convex on \mathbb{R}^<size>",
            r"f convex on \mathbb{R}^n",
            "a convex function of a vector (with the items after it: its minimiser, SGD on "
            "it and the bounds)",
            _convex,
        ),
        LetForm(
            "minimiser <name>",
            "…, minimiser x^*",
            "after a convex function: a point where it is least",
            _minimiser,
            modifier=True,
            needs=NEEDS,
        ),
        LetForm(
            r"<name>_{t+1} = <expr> for t \le <name2>",
            r"…, x_{t+1} = x_t - \eta g_t for t \le T",
            "after a convex function: SGD from a start x_1, where g_t is a subgradient of f "
            "at x_t plus zero-mean noise (E[g_t | x_t] ∈ ∂f(x_t)); x_1 … x_{T+1} and g_1 … g_T",
            _recurrence,
            modifier=True,
            needs=NEEDS + ", minimiser x^*",
        ),
        LetForm(
            r"\|<name>_1 - <name2>\| \le <name3>",
            r"…, \|x_1 - x^*\| \le D",
            "after SGD: D bounds the start's distance to the minimiser (D is drawn so)",
            _radius,
            modifier=True,
            needs=NEEDS + r", minimiser x^*, x_{t+1} = x_t - \eta g_t for t \le T",
        ),
        LetForm(
            r"\mathbb{E}\|<name>_t\|^2 \le <name2>^2",
            r"…, \mathbb{E}\|g_t\|^2 \le G^2",
            "after SGD: G bounds the gradients' second moments for t ≤ T (G is drawn so, "
            "for the step's value)",
            _gradient_bound,
            modifier=True,
            needs=NEEDS + r", minimiser x^*, x_{t+1} = x_t - \eta g_t for t \le T",
        ),
    )

    def let_check(self, decl: ConvexSGD) -> str | None:
        if decl.iterate and not decl.star:
            return f"name the minimiser of `{decl.f}` first: `{decl.f} convex on …, minimiser x^*`"
        return None

    def let_implies(self, decl: ConvexSGD) -> tuple:
        from autograder.engine.kinds.scalars import Integer, Real

        implied = size_integer(decl.size, decl.f)
        if decl.step:
            # a step near 0 divides a difference of nearly equal squared distances (the
            # one-step identity's (‖x_t − x^*‖² − ‖x_{t+1} − x^*‖²)/(2η)): 10^{-2} inside
            step = Real(decl.step, 0.05, 2.0, "the step", (0, np.inf, True, True), 1e-2)
            implied += (step,)
        if decl.horizon:
            implied += (Integer(decl.horizon, (1, 2, 3, 4), "the number of steps", more=(5,)),)
            # the step t of a line written at any step (t ≤ T where the line names x_{t+1})
            implied += (Integer("t", (1, 2, 3), "a step", more=(4,)),)
        return implied

    def compile(self, decl: ConvexSGD, c) -> None:
        f = sp.Symbol(decl.f)
        c.random = True
        c.functions[decl.f] = 1
        entry = c.symbol(decl.f, "ConvexSGD")
        entry.call = _call(f)
        entry.describes = DESCRIPTION
        if decl.star:
            c.vectors[decl.star] = ir.Vector(decl.star)
            c.symbol(decl.star, "ConvexSGD").describes = DESCRIPTION
        for name in (decl.iterate, decl.gradient):
            if name:
                entry = c.symbol(name, "ConvexSGD")
                entry.subscripted = _reader(sp.Symbol(name))
                entry.vector = True
                entry.random = True
                entry.describes = DESCRIPTION
                entry.shown = (f"{name}_t",)
        if decl.horizon:  # `\sum_t` runs over the steps 1 … T; key steps name any step t
            t = sp.Symbol("t", integer=True, positive=True)
            horizon = sp.Symbol(decl.horizon, integer=True, positive=True)
            c.indices.setdefault("t", (t, sp.Integer(1), horizon))
        for name in (decl.radius, decl.bound):
            if name:
                c.names[name] = sp.Symbol(name, positive=True)
                c.symbol(name, "ConvexSGD").describes = DESCRIPTION

    def draw(self, decl: ConvexSGD, inst: Instance) -> None:
        world = World(inst, decl)
        if decl.star:
            inst.handlers[decl.star] = FixedVector(world.star)
        for name in (decl.f, decl.iterate, decl.gradient):
            if name:
                inst.handlers[f"__sgd__{name}"] = world
        if decl.radius:
            inst.handlers[decl.radius] = Bound(world, "D")
        if decl.bound:
            inst.handlers[decl.bound] = Bound(world, "G")

    def edges(self, decl: ConvexSGD) -> list[str]:
        found = [LINEAR, RANK1, SOFTPLUS, STEEP]
        if decl.iterate:
            found += [NOISELESS, TIGHT, NEAR]
        return found


register(ConvexKind())
