r"""A network trained by gradient flow: the objects of the neural tangent kernel view.

`% let f network trained by gradient flow` declares a smooth model with parameters
`\theta \in \mathbb{R}^p` and `n` outputs on fixed inputs X, targets `y \in \mathbb{R}^n`,
a learning rate `\eta > 0`, a time `t > 0`, and, read with a subscript (the time):
`f_t` the outputs `f_{\theta_t}(X)` (a vector of length n), `J_t` their Jacobian
`\partial f_t / \partial\theta` (an n×p matrix, products with it do not commute),
`\theta_t` the parameters and `\Theta_t = J_t J_t^\top` the empirical tangent kernel
(n×n); `L` is the loss `\frac12\|f_t - y\|^2`.  `f_0`, `J_0`, `\Theta_0` are the same
objects at time 0.

An instance draws the model as `f_\theta = M \tanh(B\theta + c)` (random M, B, c: smooth,
nonlinear, its Jacobian moves with θ), a point θ* at the drawn time t*, targets within about
0.5 of the outputs there (so the velocity stays moderate and a finite difference in t keeps
the digits the gradients' tolerance promises), and the parameters' path through θ* with the
gradient-flow velocity there:
`\theta(s) = \theta^* + (s - t^*)\, v`, `v = -\eta J(\theta^*)^\top (f(\theta^*) - y)`.
So `\frac{d\theta_t}{dt} = -\eta \nabla_\theta L` holds at the drawn time, and every first
time derivative there (`\frac{d f_t}{dt}`, `\frac{d}{dt}\frac12\|f_t - y\|^2`) is the one of
gradient flow.  A gradient `\nabla_\theta` moves θ* (the symbol `\theta` is θ*, the
parameters at the current time).  What it does not model: a second time derivative of the
flow (the path is straight), and the linearised solution `f_t - y = e^{-\eta\Theta_0
t}(f_0 - y)`, which holds for the linearised model only (this network is not linear in θ);
both are said in `defaults`.  Tight case: the outputs at their targets (`f_t = y`, where
the flow stands still).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import PERT, RANK, EvalError
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt, fmt_vector

HIDDEN = 3  # the width of the random map's hidden layer


@dataclass(frozen=True)
class Network:
    """A model `name` trained by gradient flow; its names are fixed (see the module)."""

    name: str = "f"
    outputs: str = "n"
    params: str = "p"
    theta: str = "theta"
    jacobian: str = "J"
    kernel: str = "Theta"
    targets: str = "y"
    rate: str = "eta"
    time: str = "t"
    loss: str = "L"

    def matrix_shapes(self) -> dict:
        """The declared sizes of its matrix nodes (`kinds/matrices.py:MatrixAlgebra`)."""
        return {
            f"{self.jacobian}@net": (self.outputs, self.params),
        }


# ------------------------------------------------------------------ nodes


class _AtTime(ir.Opaque):
    """One of the network's objects at a time (its one argument)."""

    symbol = "?"

    def _latex(self, printer):
        return rf"{self.symbol}_{{{printer._print(self.args[0])}}}"


class Outputs(_AtTime):
    """`f_t`: the outputs at time t (a vector)."""

    is_commutative = True
    symbol = "f"


class Params(_AtTime):
    r"""`\theta_t`: the parameters at time t (a vector)."""

    is_commutative = True
    symbol = r"\theta"


class Jacobian(_AtTime):
    """`J_t`: the outputs' Jacobian at time t (an n×p matrix)."""

    is_commutative = False
    symbol = "J"
    matrix_key = "J@net"


def _net(evaluator):
    handler = evaluator.inst.handlers.get("network@")
    if handler is None:
        raise EvalError("no network drawn")
    return handler


def _theta_at(evaluator, expr, env) -> np.ndarray:
    """The parameters at the node's time, as rows (P, p) along PERT."""
    net = _net(evaluator)
    rows = evaluator.param_value(net.decl.theta, env)  # (P, p): moved by a gradient
    t = evaluator.ev(expr.args[0], env)
    if any(size != 1 for axis, size in enumerate(t.shape) if axis != PERT):
        raise EvalError("the network's time may not vary inside a sum")
    t = t.reshape(-1)
    inst = evaluator.inst  # the instance evaluated (a search's copy moves θ, y, η or t)
    return rows + (t - net.time(inst))[:, None] * net.velocity(inst)[None, :]


def _as_vector(rows: np.ndarray) -> np.ndarray:
    return rows.reshape((rows.shape[0],) + (1,) * (RANK - 1) + (rows.shape[1],))


def _outputs(evaluator, expr, env):
    net = _net(evaluator)
    return _as_vector(net.f(_theta_at(evaluator, expr, env)))


def _params(evaluator, expr, env):
    return _as_vector(_theta_at(evaluator, expr, env))


def _jacobian(evaluator, expr, env):
    net = _net(evaluator)
    j = net.jac(_theta_at(evaluator, expr, env))
    return j.reshape((j.shape[0],) + (1,) * (RANK - 1) + j.shape[1:])


NODES = {
    Outputs: ir.NodeRule(evaluate=_outputs, vector=True, describes="network"),
    Params: ir.NodeRule(evaluate=_params, vector=True, describes="network"),
    Jacobian: ir.NodeRule(evaluate=_jacobian, describes="network"),
}


# ------------------------------------------------------------------ drawing


class NetworkValue:
    """A drawn model `M tanh(B θ + c)`, the drawn time t* and the flow's velocity there."""

    def __init__(self, decl: Network, inst: Instance, n: int, p: int, at_target: bool):
        rng = inst.rng
        self.decl = decl
        self.M = rng.normal(size=(n, HIDDEN + n)) / np.sqrt(HIDDEN + n)
        self.B = rng.normal(size=(HIDDEN + n, p)) / np.sqrt(p)  # pre-activations of order 1
        self.c = rng.normal(scale=0.5, size=HIDDEN + n)
        self.at_target = at_target
        self._v: dict = {}  # the velocity, by the values it is computed from

    def f(self, rows: np.ndarray) -> np.ndarray:
        return np.tanh(rows @ self.B.T + self.c) @ self.M.T

    def jac(self, rows: np.ndarray) -> np.ndarray:
        slope = 1 - np.tanh(rows @ self.B.T + self.c) ** 2  # (P, h)
        return np.einsum("kh,Ph,hj->Pkj", self.M, slope, self.B)

    def time(self, inst: Instance) -> float:
        return float(inst.scalars[self.decl.time].real)

    def velocity(self, inst: Instance) -> np.ndarray:
        """v = -η J(θ*)^T (f(θ*) - y) at the instance's θ*, y and η."""
        theta = np.real(np.asarray(inst.handlers[self.decl.theta].values, dtype=complex))
        y = np.real(np.asarray(inst.handlers[self.decl.targets].values, dtype=complex))
        eta = float(inst.scalars[self.decl.rate].real)
        key = (theta.tobytes(), y.tobytes(), eta)
        found = self._v.get(key)
        if found is None:
            rows = theta[None]
            found = self._v[key] = -eta * (self.jac(rows)[0].T @ (self.f(rows)[0] - y))
        return found


# ------------------------------------------------------------------ reading


def _at(node_type):
    def read(resolver, node, scope):
        return node_type(resolver.resolve(node.sub, scope))

    return read


def _kernel(resolver, node, scope):
    j = Jacobian(resolver.resolve(node.sub, scope))
    from autograder.engine.kinds.matrices import Transposed

    return sp.Mul(j, Transposed(j))


class NetworkKind(Kind):
    declaration = Network
    nodes = NODES
    defaults = (
        "the model is a random smooth map M tanh(Bθ + c) of its parameters, not linear in "
        "θ; the targets within about 0.5 of the outputs; η up to 1 and t up to 1.5; the "
        "parameters move along a straight path with the gradient-flow velocity at the drawn "
        "time, so first time derivatives there are gradient flow's (second ones are not), "
        "and the linearised solution is not assumed"
    )
    let = (
        LetForm(
            r"<name> network trained by gradient flow",
            r"f network trained by gradient flow",
            "outputs f_t (n of them) of parameters θ_t (p of them), targets y, a learning "
            "rate η > 0, a time t > 0; J_t the n×p Jacobian, Θ_t = J_t J_tᵀ the tangent "
            "kernel, the loss L = ½‖f_t − y‖²; the parameters follow gradient flow, "
            "dθ_t/dt = −η ∇_θ L",
            lambda s, p: Network(s.name.key),
        ),
    )

    def let_implies(self, decl: Network) -> tuple:
        from autograder.engine.kinds.scalars import Integer, Real
        from autograder.engine.kinds.vectors import VectorOf

        return (
            Integer(decl.outputs, (2, 3, 1), "the number of outputs", more=(4, 5)),
            Integer(decl.params, (3, 2, 4), "the number of parameters", more=(6,)),
            VectorOf(decl.theta, decl.params, param=True),
            VectorOf(decl.targets, decl.outputs),
            Real(decl.rate, 0.05, 1.0, "the learning rate"),
            Real(decl.time, 0.1, 1.5, "the time"),
        )

    def compile(self, decl: Network, c) -> None:
        for name, node_type in (
            (decl.name, Outputs),
            (decl.jacobian, Jacobian),
            (decl.theta, Params),
        ):
            entry = c.symbol(name, "Network")
            entry.subscripted = _at(node_type)
            entry.describes = "network"
        entry = c.symbol(decl.kernel, "Network")
        entry.subscripted, entry.describes = _kernel, "network"
        entry.shown = (rf"\{decl.kernel}_t",)
        c.symbol(decl.name, "Network").shown = (f"{decl.name}_t",)
        c.symbol(decl.jacobian, "Network").shown = (f"{decl.jacobian}_t",)

    def bind(self, decl: Network, c, resolver, read) -> None:
        tex = rf"\frac{{1}}{{2}}\|{decl.name}_{decl.time} - {decl.targets}\|^2"
        c.names[decl.loss] = resolver.resolve_text(tex, read)

    def draw(self, decl: Network, inst: Instance) -> None:
        from autograder.engine.kinds.vectors import size_of

        n, p = size_of(inst, decl.outputs), size_of(inst, decl.params)
        net = NetworkValue(decl, inst, n, p, inst.edge_case() is not None)
        inst.handlers["network@"] = net
        # the targets near the outputs (a residual of size ~0.5; exactly there in the tight
        # case): the velocity stays moderate, so a finite difference in t along it keeps
        # the digits the gradients' tolerance needs
        theta = np.asarray(inst.handlers[decl.theta].values, dtype=float)[None]
        residual = 0.0 if net.at_target else inst.rng.normal(scale=0.5, size=n)
        y = net.f(theta)[0] + residual
        inst.handlers[decl.targets].values = y
        inst.description[decl.targets] = fmt_vector(y)
        inst.description["network"] = (
            f"{decl.name}_θ = M tanh(Bθ + c), {n} outputs, {p} parameters, "
            f"hidden width {HIDDEN + n}; M[0, 0] = {fmt(self_first(net.M))}"
        )

    def edges(self, decl: Network) -> list[str]:
        return [f"{decl.name}_t at its targets y"]


def self_first(m: np.ndarray) -> float:
    return float(m.flat[0])


register(NetworkKind())
