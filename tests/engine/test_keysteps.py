r"""Show the work: key steps are recognised by form.  The canonical form forgets
bookkeeping and keeps ideas (judged against throwaway problems); every route of every
curriculum problem, leaps flagged at their line and credit from the ideas shown:
`tests/curriculum/test_routes.py`; a throwaway problem's key steps end to end:
`test_add_a_derivation.py`."""

import pytest
import sympy as sp

from autograder.engine.keysteps import Hole, canon, contains
from autograder.engine.read.reader import read
from autograder.engine.resolve.resolver import Resolver
from tests.engine.throwaway import compiled

# ------------------------------------------------------------------ the canonical form


def form(problem_id, latex, holes=()):
    resolver = Resolver(compiled(problem_id))
    with sp.evaluate(False):
        expr = resolver.resolve(read(latex).steps[0].expr, {h: Hole(h) for h in holes})
    return canon(expr)


@pytest.mark.parametrize(
    "problem, a, b",
    [
        ("bound", r"\mathbb{E}_{q(z)}[\log p(x|z)]", r"\sum_z q(z) \log p(x|z)"),
        ("bound", r"\mathbb{E}_{q(z)}[\log p(x|z)]", r"\int \log p(x|z)\, q(z)\, dz"),
        ("bound", r"\mathbb{E}_{z \sim q}[\log p(x|z)]", r"\mathbb{E}_{q(z)}[\log p(x|z)]"),
        ("bound", r"\mathrm{KL}(q(z)\|p(z))", r"\sum_z q(z) \log \frac{q(z)}{p(z)}"),
        (
            "unroll",
            r"(1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i",
            r"\sum_{j=1}^{t} (1-\beta_1) g_j \beta_1^{-j+t}",
        ),
        ("free", r"a + b c", r"c b + a"),
    ],
)
def test_bookkeeping_is_forgotten(problem, a, b):
    assert form(problem, a) == form(problem, b)


@pytest.mark.parametrize(
    "problem, a, b",
    [
        ("bound", r"\log \int p(x, z)\, dz", r"\log \int q(z) \frac{p(x, z)}{q(z)}\, dz"),
        (
            "bound",
            r"\log \mathbb{E}_{q(z)}\left[\frac{p(x,z)}{q(z)}\right]",
            r"\mathbb{E}_{q(z)}\left[\log \frac{p(x,z)}{q(z)}\right]",
        ),
        ("unroll", r"\sum_{i=1}^{t} \beta_1^{t-i} g_i", r"\sum_{i=1}^{t} \beta_1^{t-i} g_t"),
        (
            "free",
            r"\sum_{i=1}^{n}\sum_{j=1}^{n} x_i y_j",
            r"\sum_{i=1}^{n}\sum_{j=1}^{n} x_i y_i",
        ),
    ],
)
def test_ideas_are_not_forgotten(problem, a, b):
    assert form(problem, a) != form(problem, b)


def test_a_pattern_with_a_hole_is_found_anywhere_in_a_line():
    pattern = form("bound", r"\int q(z) \frac{F}{q(z)}\, dz", holes=("F",))
    assert contains(form("bound", r"\log \int q(z) \frac{p(x, z)}{q(z)}\, dz"), pattern)
    assert contains(
        form("bound", r"\log \mathbb{E}_{q(z)}\left[\frac{p(x|z)p(z)}{q(z)}\right]"), pattern
    )
    assert not contains(form("bound", r"\log \int p(x, z)\, dz"), pattern)
