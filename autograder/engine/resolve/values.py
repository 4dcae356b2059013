"""What a resolved value is, asked all through the walk: a vector (`is_vector`), arithmetic
on the label of a finite variable (`states_only`, refused), a density's declaration read
by position (`positional`).
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir
from autograder.engine.read.names import shown
from autograder.engine.resolve.errors import ResolveError


def is_vector(value) -> bool:
    if isinstance(value, ir.Vector | ir.OnesVector | ir.Softmax | ir.VectorFn | ir.Basis):
        return True
    if isinstance(value, sp.Pow):
        return is_vector(value.base) and value.exp == 1
    if isinstance(value, sp.Add):
        return any(is_vector(a) for a in value.args)
    if isinstance(value, sp.Mul):
        return any(is_vector(a) for a in value.args)
    if isinstance(value, ir.Jacobian):
        return False  # a matrix
    if isinstance(value, ir.Grad):
        return isinstance(value.args[1], ir.Vector) or is_vector(value.args[0])
    if isinstance(value, ir.Expectation | ir.Total | ir.Mean):
        return is_vector(value.args[0])
    if isinstance(value, sp.Sum):
        return is_vector(value.function)
    if isinstance(value, ir.Opaque):  # a kind's own node
        rule = ir.rule_of(value)
        return rule is not None and rule.vector
    return False


def states_only(key: str, values, pos: int) -> None:
    """`\\pi(-x)`, `q(y|x+1)`, `b(-s)`: a value of a finite variable is a label, not a number,
    so arithmetic on it names nothing; refused in words rather than read at the one value
    where it happens to land on a state."""
    for v in values:
        arithmetic = isinstance(v, sp.Add | sp.Mul | sp.Pow)
        if arithmetic and any(isinstance(s, ir.DomainVar) for s in v.free_symbols):
            raise ResolveError(
                f"`{shown(key)}` takes values of a finite set, and `{sp.latex(v)}` is not "
                "one: arithmetic on such a value is not defined; write the variable itself",
                pos,
            )


def positional(spec) -> bool:
    """MDP densities take their arguments by position (`rho_0(s_0)`, `P(s_{t+1}|s_t,a_t)`);
    densities of a `Densities` declaration by variable name (`p(x|z)`)."""
    return bool(spec) and isinstance(spec[0], str)
