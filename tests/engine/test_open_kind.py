r"""A new kind of value with its own node type, declared in a test: no engine file changes.

`Ramp` is a throwaway kind (CONTRIBUTING.md, "Add a kind of object"): `% let h(x) ramp`
declares h as the ramp max(x, 0), a function the engine does not know.  Everything it
means is below -- its declaration and `% let` form, its name in the symbol table (`h(…)`
reads as the kind's own IR node), and how that node evaluates and prints -- and a
derivation using it is checked through `check(None, "% let …")`: a true step is valid and
a wrong one invalid, which only the kind's own evaluation can tell apart.  A second
variant gives its node only a high-precision rule and is decided through the evaluator's
generic fallback (point by point) and at exact points.  A third throwaway kind has a
continuous variable (a standard normal): its instance lays the variable out as quadrature
nodes (`axes.Quadrature`), and expectations and integrals over it come out right.
"""

from dataclasses import dataclass

import mpmath
import numpy as np
import pytest
import sympy as sp

from autograder.engine import check as engine
from autograder.engine import ir
from autograder.engine.axes import Quadrature
from autograder.engine.kinds import Kind, base
from autograder.engine.kinds.base import LetForm


@dataclass(frozen=True)
class Ramp:
    name: str


class RampOf(ir.Opaque):
    """`h(x)` for a ramp h: max(x, 0).  Its `_latex` is how "read as" prints it."""

    is_real = True

    def _latex(self, printer):
        return rf"\operatorname{{ramp}}\left({printer._print(self.args[0])}\right)"


class PreciseRampOf(RampOf):
    """The same node known only at high precision (no numpy rule of its own)."""


def _evaluate(evaluator, expr, env) -> np.ndarray:
    x = evaluator.ev(expr.args[0], env)
    return np.where(x.real > 0, x, 0).astype(complex)


def _precise(x):
    return x if mpmath.re(x) > 0 else mpmath.mpf(0)


def _ramp(slots, previous) -> Ramp:
    if len(slots.f.args) != 1 or slots.f.given:
        raise ValueError("a ramp takes one argument: `h(x) ramp`")
    return Ramp(slots.f.key)


class RampKind(Kind):
    declaration = Ramp
    let = (LetForm("<f> ramp", "h(x) ramp", "the ramp max(x, 0)", _ramp),)
    nodes = {RampOf: ir.NodeRule(evaluate=_evaluate)}
    node = RampOf

    def compile(self, decl, c) -> None:
        c.functions[decl.name] = 1  # applied to one argument
        node = self.node
        c.symbol(decl.name, "Ramp").call = lambda resolver, call, scope: node(
            resolver.resolve(call.args[0], scope)
        )


class PreciseRampKind(RampKind):
    nodes = {PreciseRampOf: ir.NodeRule(precise=_precise)}
    node = PreciseRampOf


@pytest.fixture
def registered():
    """`register(kind)` for one test: its registry entry and node rules are removed after."""
    kinds = []
    yield lambda kind: kinds.append(base.register(kind))
    for kind in kinds:
        del base.REGISTRY[kind.declaration]
        for node_type in kind.nodes:
            del ir.NODES[node_type]


@pytest.fixture
def ramp_kind(registered):
    registered(RampKind())


@pytest.fixture
def precise_ramp_kind(registered):
    registered(PreciseRampKind())


LET = r"% let h(x) ramp; x \in \mathbb{R}" + "\n"
# the engine caches what a text declares: the other variant declares another name
PRECISE_LET = r"% let g(y) ramp; y \in \mathbb{R}" + "\n"


def _statuses(answer: str) -> list[str]:
    report = engine.check(None, answer)
    assert not report.message, report.message
    return [s.status for s in report.steps[1:]]


def test_a_kind_with_its_own_node_type_checks_a_let_derivation(ramp_kind):
    assert _statuses(LET + r"h(x) - h(-x) = x") == ["valid"]
    assert _statuses(LET + r"h(x) + h(-x) = |x|") == ["valid"]
    assert _statuses(LET + r"h(x) \ge x") == ["valid"]
    wrong = engine.check(None, LET + r"h(x) + h(-x) = x").steps[1]
    assert wrong.status == "invalid"
    assert _statuses(LET + r"h(x) \le x") == ["invalid"]


def test_its_node_prints_as_the_kind_says(ramp_kind):
    report = engine.check(None, LET + r"h(x) + h(-x) = x")
    read = report.steps[0].read_as
    assert read == r"\operatorname{ramp}\left(x\right) + \operatorname{ramp}\left(- x\right)"
    square = sp.latex(RampOf(sp.Symbol("x")) ** 2)
    assert square == r"\left(\operatorname{ramp}\left(x\right)\right)^{2}"
    assert report.steps[1].counterexample.instance.keys() == {"x"}


def test_a_node_known_only_at_high_precision_falls_back_point_by_point(precise_ramp_kind):
    assert _statuses(PRECISE_LET + r"g(y) - g(-y) = y") == ["valid"]
    assert _statuses(PRECISE_LET + r"g(y) + g(-y) = y") == ["invalid"]
    # beyond floating point: only the 60-digit path sees this difference
    assert _statuses(PRECISE_LET + r"g(y + 10^{-30}) = g(y)") == ["invalid"]


class RuleLessRampOf(RampOf):
    """The node with no rule at all."""


class RuleLessRampKind(RampKind):
    nodes = {}
    node = RuleLessRampOf


def test_a_node_without_a_rule_is_undecided_never_judged(registered):
    registered(RuleLessRampKind())
    step = engine.check(None, r"% let u(w) ramp; w \in \mathbb{R}" + "\n" + "u(w) = w").steps[1]
    assert step.status == "undecided"
    assert "cannot evaluate RuleLessRampOf" in step.message


def test_without_the_kind_the_declaration_is_refused():
    report = engine.check(None, r"% let k(z) ramp" + "\n" + r"k(z) = k(z)")
    assert "`k(z) ramp` is not a declaration of any kind I know" in report.message


# -- a continuous variable: its domain drawn as quadrature nodes ---------------------------


@dataclass(frozen=True)
class StandardNormal:
    density: str
    variable: str


class NormalDensity:
    """The evaluator's handler: the standard normal density at the quadrature nodes."""

    def density(self, node, args, given, evaluator, env):
        (z,) = args
        return np.exp(-(z**2) / 2) / np.sqrt(2 * np.pi)


def _normal(slots, previous) -> StandardNormal:
    if len(slots.f.args) != 1 or slots.f.given:
        raise ValueError(r"write it `\phi(z) standard normal density`")
    return StandardNormal(slots.f.key, slots.f.args[0])


class StandardNormalKind(Kind):
    """z continuous: 40 Gauss-Hermite nodes integrate the density times a polynomial of
    degree up to 79 exactly, and e^z to 15 digits."""

    declaration = StandardNormal
    let = (
        LetForm(
            "<f> standard normal density",
            r"\phi(z) standard normal density",
            "z ~ N(0, 1), with density φ",
            _normal,
        ),
    )

    def compile(self, decl, c) -> None:
        z = c.names[decl.variable] = ir.DomainVar(decl.variable)
        c.densities[decl.density] = (z,)  # a density over z, by name (like `q(z) density`)

    def draw(self, decl, inst) -> None:
        points, weights = np.polynomial.hermite_e.hermegauss(40)  # weight e^{-x^2/2}
        inst.domains[decl.variable] = Quadrature(points, weights * np.exp(points**2 / 2))
        inst.handlers[decl.density] = NormalDensity()
        inst.description[decl.density] = "the standard normal density"


NORMAL_LET = r"% let \phi(z) standard normal density" + "\n"


@pytest.fixture
def normal_kind(registered):
    registered(StandardNormalKind())


@pytest.mark.parametrize(
    ("step", "status"),
    [
        (r"\mathbb{E}_{z \sim \phi}[z^2] = 1", "valid"),
        (r"\mathbb{E}_{z \sim \phi}[z^2] = 2", "invalid"),
        (r"\mathbb{E}_{z \sim \phi}[e^{z}] = e^{1/2}", "valid"),
        (r"\mathbb{E}_{z \sim \phi}[e^{z}] = 1", "invalid"),
        (r"\int \phi(z) z^4 \, dz = 3", "valid"),
        (r"\int \phi(z) z^4 \, dz = 1", "invalid"),
    ],
)
def test_a_continuous_kind_integrates_by_its_quadrature(normal_kind, step, status):
    assert _statuses(NORMAL_LET + step) == [status]
