"""Bind every name in the reader's tree to what the problem says it is.

The output is a sympy expression built from `autograder.engine.ir`.  This is where `p(x|z)`
becomes a conditional of the joint, `\\pi_\\theta(a_t|s_t)` the policy at the t-th state and
action of a trajectory, `q_i` a component of a random vector, `m_{t-1}` a term of a
recurrence, `a(b+c)` a product.  A name the problem does not know is reported here, in
words, with the names it does know.

The rules here are kind-neutral: they read the compiled context's tables (densities,
functions, sequences, vectors, defined functions).  What a particular kind means by one of
its names -- `s_t` a step of a trajectory, `\\pi_\\theta` a trajectory's law, `J(\\pi_\\theta)`,
an abbreviation `\\hat m_t` -- the kind says in the symbol table (`Compiled.symbols`), whose
hooks are asked first; the MDP's are in `autograder.engine.kinds.mdp`.

This module holds the walk (`Resolver.resolve`: one method per node type, `_<type>`) and
the resolver's state; the methods live with their kind of node, one module each, as
mixins: `arithmetic`, `products` (matrices and vectors among them), `points` (functions
taken at a point), `lookup` (names), `application` (a name applied, definitions expanded),
`expectations`, `derivatives`, `sums` (the operators that bind an index).  What it raises
is in `errors`, what "read as" keeps as written in `written`.
"""

from __future__ import annotations

import sympy as sp

from autograder.engine.domains import Domain
from autograder.engine.read import tree as sx
from autograder.engine.resolve.application import ApplicationMixin
from autograder.engine.resolve.arithmetic import ArithmeticMixin
from autograder.engine.resolve.compiled import Compiled
from autograder.engine.resolve.derivatives import DerivativesMixin
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.expectations import ExpectationsMixin
from autograder.engine.resolve.lookup import LookupMixin
from autograder.engine.resolve.points import PointsMixin
from autograder.engine.resolve.products import ProductsMixin
from autograder.engine.resolve.sums import SumsMixin


class Resolver(
    ArithmeticMixin,
    ProductsMixin,
    PointsMixin,
    LookupMixin,
    ApplicationMixin,
    ExpectationsMixin,
    DerivativesMixin,
    SumsMixin,
):
    """Resolves syntax trees for one problem.

    `free_domains` (problems whose names are all free) says where the answer's names
    range (`% assume x > 0`, names used as sum limits are natural numbers); a free name
    without one is real.  Its sympy assumptions follow from the domain.

    `applied` (`applied_only` of the answer) are the names written only before a bracket:
    where names are free, such a name is a function nothing declares (`\\sigma(a)`), not
    a product, so its use is an `UnknownName`; a name also written alone (`x(1-x)`) is a
    real times the bracket.  `bracket_products` counts the free names before a bracket read
    as products (the "read as" line then shows the product sign).
    """

    def __init__(
        self,
        compiled: Compiled,
        free_domains: dict[str, Domain] | None = None,
        keep_definitions: bool = False,
    ) -> None:
        self.c = compiled
        # the "read as" line shows a defined function by its name, not its body (a resolver
        # made for it; it turns this off only while it reads a definition's body)
        self.keep_definitions = keep_definitions
        self.free_domains = free_domains or {}
        self.applied: frozenset[str] = frozenset()
        self.bracket_products = 0
        self._inside = False  # resolving a part of a side (`resolve` was entered)

    def resolve_text(self, text: str, read, scope: dict | None = None) -> sp.Expr:
        reading = read(text)
        if reading.error or len(reading.steps) != 1 or reading.steps[0].expr is None:
            raise ValueError(f"cannot read the declaration {text!r}")
        return self.resolve(reading.steps[0].expr, scope or {})

    # -- the walk -----------------------------------------------------------------------
    def resolve(self, node: sx.Node, scope: dict) -> sp.Expr:
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        if method is None:
            raise ResolveError(f"cannot use {type(node).__name__} here", node.pos)
        if self._inside:
            return method(node, scope)
        self._inside = True  # a whole side: a kind may read it as a vector (`Entry.linear`)
        try:
            return method(node, scope)
        except ResolveError:
            hook = self._linear(node)
            value = hook(self, node, None, scope) if hook is not None else None
            if value is None:
                raise
            return value
        finally:
            self._inside = False
