r"""Steps between statements about real scalars (`decide.equations`, methods 1-3): a
constant factor, one name's solution sets, several names sampled."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from autograder.engine import ir, relations
from autograder.engine.decide import precise
from autograder.engine.decide.claims import RELATIONAL, Claim, Joined, atoms, mapped
from autograder.engine.decide.evaluate_derivatives import differentiate
from autograder.engine.decide.randomized import scalar_problem as scalar_domains
from autograder.engine.domains import INF, Domain
from autograder.engine.limits import TimeUp, checkpoint, deadline, remaining
from autograder.engine.verdicts import INVALID, UNDECIDED, VALID, Counterexample, Verdict

SOLVE_BUDGET = 2.0  # one solveset call (its first call warms sympy: slow on a busy machine)
DRAWS = 6  # random draws of every name, after their special points
ENOUGH = 8  # draws that agreed, after which sampling stops when time runs short
MOST = 16  # draws that agreed, after which sampling stops
SAMPLE_RESERVE = 2.0  # seconds left of the step's deadline below which it stops


class Refused(Exception):
    """This step cannot be decided here (said in words)."""


def decide_scalar_statements(first, connective: str, second, domains: dict) -> Verdict:
    """The verdict on `first connective second` between statements about the real scalars
    of `domains` (each free name's domain): methods 1 to 3."""
    symbols = sorted(domains, key=lambda s: s.name)
    proof = _polynomial_multiple(first, connective, second, symbols)
    if proof is None:
        proof = _signed_multiple(first, second, symbols, domains)
    if proof is not None:
        return proof
    continuous = [s for s in symbols if not domains[s].integer]
    if len(symbols) == 1 and continuous:
        try:
            verdict, _ = _compare_in(first, second, connective, continuous[0], domains, {})
        except Refused as refused:  # the draws would ask the same question again
            hunted = _hunt(first, second, connective, continuous[0], domains, {})
            if hunted is not None:
                return hunted
            if not any(c.relation == "=" for c in atoms(first) + atoms(second)):
                return _truth_table(
                    first, connective, second, continuous[0], domains[continuous[0]]
                )
            return Verdict(
                UNDECIDED, f"could not find the solutions of these statements ({refused})"
            )
        if verdict.status == VALID:
            verdict.method = "symbolic"
        return verdict
    return _sampled(first, connective, second, symbols, continuous, domains)


def domains_of(exprs, scope) -> dict | None:
    """Each free name's domain, or None when one is not a real scalar."""
    free = set().union(*(ir.free_symbols(e) for e in exprs))
    found = {}
    for k in range(0, len(exprs), 2):
        found.update(scalar_domains(exprs[k], exprs[k + 1], scope).domains)
    if any(s not in found for s in free):
        return None
    return {s: found[s] for s in free}


def differentiated(claim: Claim, compiled) -> Claim:
    if compiled is None or not (ir.contains(claim.lhs, ir.Grad) or ir.contains(claim.rhs, ir.Grad)):
        return claim
    return Claim(
        differentiate(claim.lhs, compiled), claim.relation, differentiate(claim.rhs, compiled)
    )


# ------------------------------------------------------------------ 1. a constant factor


def _polynomial_multiple(first: Claim, connective, second: Claim, symbols) -> Verdict | None:
    """Proved when both differences are polynomials and one is a nonzero number times the
    other (its sign matching the relations)."""
    if not (isinstance(first, Claim) and isinstance(second, Claim)):
        return None
    f, g = first.difference(), second.difference()
    if not symbols:
        return None
    try:
        with deadline(min(0.25, remaining())):
            if not (f.is_polynomial(*symbols) and g.is_polynomial(*symbols)):
                return None
            if sp.expand(g) == 0:
                return None
            ratio = sp.cancel(sp.expand(f) / sp.expand(g))
    except (TimeUp, TypeError, ValueError, sp.PolynomialError, ZeroDivisionError):
        return None
    if ratio.free_symbols or not ratio.is_real or ratio == 0 or not ratio.is_finite:
        return None
    if first.relation == "=" or second.relation == "=":
        same = first.relation == second.relation
    else:
        # f rel1 0 and g rel2 0 with f = c g: the same set when c > 0 keeps the direction
        want = second.relation if ratio > 0 else relations.MIRROR[second.relation]
        same = first.relation == want
    if not same:
        return None
    how = "with terms moved across" if ratio == 1 else f"multiplied by {sp.sstr(ratio)}"
    return Verdict(
        VALID,
        f"proved: one line is the other {how}, so they have the same solutions",
        "symbolic",
    )


def _signed_multiple(first, second, symbols, domains) -> Verdict | None:
    """Proved when both lines are defined at every point of the declared domains (each
    denominator provably nonzero, each root and logarithm of a provably positive base) and
    lhs − rhs of the first is c times that of the second, with c provably positive there
    (or negative, the relation flipped; for equations nonzero): multiplying both sides by
    a quantity declared positive, `\\eta^2 = a \\iff \\eta = \\sqrt{a}` for η > 0.  Sympy's
    assumptions carry the domains (`Domain.assumptions`)."""
    if not (isinstance(first, Claim) and isinstance(second, Claim)) or not symbols:
        return None
    reps = {s: sp.Dummy(s.name, **domains[s].assumptions()) for s in symbols}
    f, g = first.difference().xreplace(reps), second.difference().xreplace(reps)
    try:
        with deadline(min(0.3, remaining())):
            if not (_defined_everywhere(f) and _defined_everywhere(g)) or g == 0:
                return None
            ratio = sp.cancel(sp.radsimp(sp.together(f / g)))
            if not _defined_everywhere(ratio):
                return None
            if sp.expand(f - ratio * g) != 0 and sp.simplify(f - ratio * g) != 0:
                return None
            positive, negative = ratio.is_positive, ratio.is_negative
    except (TimeUp, TypeError, ValueError, sp.PolynomialError, ZeroDivisionError, RecursionError):
        return None
    if first.relation == "=" and second.relation == "=":
        if not (positive or negative):
            return None
    elif first.relation == "=" or second.relation == "=":
        return None
    elif not (
        (positive and first.relation == second.relation)
        or (negative and first.relation == relations.MIRROR[second.relation])
    ):
        return None
    sign = "positive" if positive else "negative"
    factor = sp.sstr(ratio.xreplace({d: s for s, d in reps.items()}))
    return Verdict(
        VALID,
        f"proved: the line before is this line multiplied by {factor}, which is {sign} on "
        "the declared domains, so they have the same solutions",
        "symbolic",
    )


def _defined_everywhere(expr) -> bool:
    """Every operation defined at every point the names' assumptions allow: a power with a
    negative exponent of a provably nonzero base, a non-integer power of a provably positive
    (or, for a positive exponent, nonnegative) base, a logarithm of a provably positive
    argument; polynomials, exp and the trigonometric functions anywhere."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow):
            base, exp = node.args
            if exp.is_integer:
                if exp.is_negative and base.is_zero is not False:
                    return False
            elif not (base.is_positive or (exp.is_positive and base.is_nonnegative)):
                return False
        elif isinstance(node, sp.log):
            if not node.args[0].is_positive:
                return False
        elif isinstance(node, sp.Function) and not isinstance(
            node, sp.exp | sp.sin | sp.cos | sp.Abs
        ):
            return False
        elif not isinstance(node, sp.Expr) or isinstance(node, ir.OPAQUE):
            return False
    return True


# ------------------------------------------------------------------ 2. one name, exactly


def _interval(domain: Domain) -> sp.Set:
    low = -sp.oo if domain.low == -INF else sp.nsimplify(Fraction(domain.low))
    high = sp.oo if domain.high == INF else sp.nsimplify(Fraction(domain.high))
    return sp.Interval(low, high, domain.low_open, domain.high_open)


def _solutions(formula, x: sp.Symbol, where: sp.Set) -> sp.Set:
    """The solutions of a statement (or statements joined) in one real name over `where`,
    or Refused."""
    if isinstance(formula, Joined):
        sets = [_solutions(p, x, where) for p in formula.parts]
        try:
            with deadline(min(SOLVE_BUDGET, remaining())):
                found = sp.Union(*sets) if formula.op == "or" else sp.Intersection(*sets)
        except TimeUp:
            raise Refused("sympy could not join the solutions in time") from None
        if not _plain(found):
            raise Refused("sympy's solutions are not explicit")
        return found
    claim = formula
    checkpoint()
    fast = _rational_roots(claim, x, where)
    if fast is not None:
        return fast
    try:
        with deadline(min(SOLVE_BUDGET, remaining())):
            found = sp.solveset(claim.relational(), x, where)
    except TimeUp:
        raise Refused("sympy could not solve it in time") from None
    except (NotImplementedError, TypeError, ValueError, AttributeError, RecursionError) as err:
        raise Refused(f"sympy could not solve it ({type(err).__name__})") from None
    if not _plain(found) or found.free_symbols - {x}:
        raise Refused("sympy's solutions are not explicit")
    if found.free_symbols:
        raise Refused("sympy's solutions are not explicit")
    return found


def _rational_roots(claim: Claim, x, where: sp.Set) -> sp.Set | None:
    """An equation whose sides are rational functions of x with rational coefficients:
    the real roots of the numerator that are no root of the denominator, in `where`
    (exact: radicals or `CRootOf`), without solveset's cost; None for any other."""
    if claim.relation != "=":
        return None
    try:
        with deadline(min(SOLVE_BUDGET, remaining())):
            num, den = sp.fraction(sp.together(claim.lhs - claim.rhs))
            top, bottom = sp.Poly(num, x), sp.Poly(den, x)
            if top.domain not in (sp.ZZ, sp.QQ) or bottom.domain not in (sp.ZZ, sp.QQ):
                return None
            if top.is_zero:
                return None  # every x where defined: solveset says so
            poles = set(bottom.real_roots()) if bottom.degree() > 0 else set()
            roots = [r for r in set(top.real_roots()) if r not in poles]
            return sp.FiniteSet(*(r for r in roots if _inside(r, where)))
    except (TimeUp, sp.PolynomialError, sp.polys.polyerrors.GeneratorsNeeded):
        return None
    except (TypeError, ValueError, NotImplementedError):
        return None


def _inside(value, where: sp.Set) -> bool:
    """Whether an exact real number lies in an interval: compared at 30 digits, and by
    sympy only on an edge."""
    if not isinstance(where, sp.Interval):
        return where.contains(value) is sp.true
    v = sp.N(value, 30)
    for end, below in ((where.start, False), (where.end, True)):
        if end.is_infinite:
            continue
        gap = v - sp.N(end, 30)
        if abs(gap) < sp.Float(10) ** -25:  # on an edge: open or closed, sympy says
            return where.contains(value) is sp.true
        if (gap > 0) == below:
            return False
    return True


def _plain(found: sp.Set) -> bool:
    if isinstance(found, sp.FiniteSet):
        return all(v.is_real for v in found)
    if isinstance(found, sp.Interval) or found is sp.S.EmptySet or found is sp.S.Reals:
        return True
    if isinstance(found, sp.Union):
        return all(_plain(a) for a in found.args)
    if isinstance(found, sp.Complement):
        return _plain(found.args[0]) and isinstance(found.args[1], sp.FiniteSet)
    return False


def _witness(diff: sp.Set):
    """An exact point of a set (None when it is empty or no point can be named)."""
    if diff is sp.S.EmptySet:
        return None
    if isinstance(diff, sp.FiniteSet):
        return next(iter(diff.args), None)
    if isinstance(diff, sp.Interval):
        a, b = diff.start, diff.end
        if a.is_infinite and b.is_infinite:
            return sp.Integer(0)
        if a.is_infinite:
            return sp.floor(b) - 1
        if b.is_infinite:
            return sp.ceiling(a) + 1
        if a == b:
            return a if not (diff.left_open or diff.right_open) else None
        return sp.nsimplify((a + b) / 2)
    if isinstance(diff, sp.Union):
        for part in diff.args:
            w = _witness(part)
            if w is not None:
                return w
        return None
    if isinstance(diff, sp.Complement):
        base, holes = diff.args
        if isinstance(base, sp.Interval) and isinstance(holes, sp.FiniteSet):
            w = _witness(base)
            for step in range(20):
                if w is None or w not in holes:
                    return w
                w = w + sp.Rational(1, 7 + step)
        return None
    return None


def _hunt(first, second, connective, x, domains, fixed: dict) -> Verdict | None:
    """Where the solution sets are not explicit (`\\sin x = 0`: an image set over the
    integers), a counterexample among the solutions sympy names (a few members of each
    image set), each confirmed at 60 digits; None when there is none."""
    where = _interval(domains[x])
    pairs = [(first, second, True)] + ([(second, first, False)] if connective == "iff" else [])
    for solves, fails, lost in pairs:
        for v in _candidates(_at(solves, fixed), x, where):
            point = {**fixed, x: v}
            try:
                if _holds(solves, point) is True and _holds(fails, point) is False:
                    return _counterexample(point, lost, solves, fails)
            except (TypeError, ValueError, ArithmeticError):
                continue
    return None


def _candidates(formula, x, where: sp.Set, budget: int = 24) -> list:
    """A few exact solutions of a statement, whatever the form of sympy's answer."""
    out = []
    for claim in atoms(formula):
        checkpoint()
        try:
            with deadline(min(SOLVE_BUDGET, remaining())):
                found = sp.solveset(claim.relational(), x, where)
        except (TimeUp, NotImplementedError, TypeError, ValueError, AttributeError):
            continue
        out.extend(_members(found, where))
    return [v for v in dict.fromkeys(out) if not v.free_symbols][:budget]


def _members(found, where) -> list:
    if isinstance(found, sp.FiniteSet):
        return [v for v in found.args if v.is_real]
    if isinstance(found, sp.Union):
        return [v for part in found.args for v in _members(part, where)]
    if isinstance(found, sp.Intersection | sp.Complement):
        return [v for part in found.args for v in _members(part, where)]
    if isinstance(found, sp.ImageSet) and found.base_sets == (sp.S.Integers,):
        lam = found.lamda
        if len(lam.variables) == 1:
            values = [lam(n) for n in (0, 1, -1, 2, -2, 3, -3)]  # the smallest first
            return [v for v in values if v.is_real and _inside(v, where)]
    return []


def _compare_in(first: Claim, second: Claim, connective, x, domains, fixed: dict):
    """Both statements solved in x (the other names at `fixed`), compared exactly: (the
    verdict, whether it was decided) or None when sympy gives no explicit sets."""
    where = _interval(domains[x])
    a = _at(first, fixed)
    b = _at(second, fixed)
    one, two = _solutions(a, x, where), _solutions(b, x, where)
    for claim, found in ((a, one), (b, two)):  # each isolated solution, checked at 60 digits
        for v in _isolated(found):
            if _holds(claim, {**fixed, x: v}) is False:
                raise Refused("sympy's solutions do not check")
    probes = _probes(domains[x])
    for claim, found in ((a, one), (b, two)):  # and where it says there are none
        for p in probes:
            holds = _holds(claim, {x: p})
            if holds is not None and holds != _member(
                found, sp.Rational(p.numerator, p.denominator)
            ):
                raise Refused(f"sympy's solutions disagree with the statement at {x} = {p}")
    lost, gained = _minus(one, two), _minus(two, one)
    if connective != "iff":
        gained = sp.S.EmptySet
    for diff, solves, fails in ((lost, first, second), (gained, second, first)):
        if diff is sp.S.EmptySet:
            continue
        w = _witness(diff)
        if w is None:
            raise Refused("the solution sets differ where no point can be named")
        point = {**fixed, x: w}
        if _holds(solves, point) is True and _holds(fails, point) is False:
            return _counterexample(point, solves is first, solves, fails), True
        raise Refused("a difference sympy found does not check at 60 digits")
    return (
        Verdict(
            VALID,
            f"proved: both lines have the solutions {_shown_set(one, x)}"
            if connective == "iff"
            else f"proved: every solution of the line before, {_shown_set(one, x)}, "
            "solves this line",
            "symbolic",
        ),
        True,
    )


def _probes(domain: Domain) -> list[Fraction]:
    """A few exact points of a domain where a solution set sympy gave is checked."""
    rng = np.random.default_rng(31)
    points = [p for p in domain.aimed()[:8]] + [domain.rational(rng) for _ in range(4)]
    return list(dict.fromkeys(points))


def _member(found: sp.Set, value) -> bool:
    """Whether an exact number is in a solution set (`_plain`), numerically where exact
    comparison would be slow."""
    if isinstance(found, sp.FiniteSet):
        return any(_equal(value, w) for w in found.args)
    if isinstance(found, sp.Interval):
        return _inside(value, found)
    if isinstance(found, sp.Union):
        return any(_member(part, value) for part in found.args)
    if isinstance(found, sp.Complement):
        return _member(found.args[0], value) and not _member(found.args[1], value)
    if found is sp.S.Reals:
        return True
    return found.contains(value) is sp.true


def _minus(one: sp.Set, two: sp.Set) -> sp.Set:
    """The solutions in `one` and not in `two`; two finite sets compared at 60 digits
    (sympy does not see that log(4)/log(2) is 2)."""
    if isinstance(one, sp.FiniteSet) and isinstance(two, sp.FiniteSet):
        return sp.FiniteSet(*(v for v in one.args if not any(_equal(v, w) for w in two.args)))
    return sp.Complement(one, two)


def _equal(v, w) -> bool:
    gap = sp.N(v - w, 60)
    return gap == 0 or abs(gap) < sp.Float(10) ** -40 * (1 + abs(sp.N(v, 60)))


def _isolated(found: sp.Set) -> list:
    if isinstance(found, sp.FiniteSet):
        return list(found.args)
    if isinstance(found, sp.Union):
        return [v for part in found.args for v in _isolated(part)]
    return []


def _shown_set(found: sp.Set, x) -> str:
    if found is sp.S.EmptySet:
        return "none"
    if isinstance(found, sp.FiniteSet):
        return ", ".join(f"{x} = {sp.sstr(v)}" for v in found.args)
    return f"{x} ∈ {_set_text(found)}"


def _set_text(found: sp.Set) -> str:
    """(-∞, -2] ∪ [3/2, ∞) for sympy's Union(Interval(-oo, -2), Interval(3/2, oo))."""
    if isinstance(found, sp.Union):
        return " ∪ ".join(_set_text(a) for a in found.args)
    if isinstance(found, sp.Interval):

        def end(v):
            return "∞" if v is sp.oo else "-∞" if v is -sp.oo else sp.sstr(v)

        left = "(" if found.left_open or found.start.is_infinite else "["
        right = ")" if found.right_open or found.end.is_infinite else "]"
        return f"{left}{end(found.start)}, {end(found.end)}{right}"
    if isinstance(found, sp.FiniteSet):
        return "{" + ", ".join(sp.sstr(v) for v in found.args) + "}"
    if found is sp.S.Reals:
        return "ℝ"
    return sp.sstr(found)


def _at(formula, fixed: dict):
    if not fixed:
        return formula
    values = {s: sp.Rational(v.numerator, v.denominator) for s, v in fixed.items()}
    return mapped(
        formula, lambda c: Claim(c.lhs.xreplace(values), c.relation, c.rhs.xreplace(values))
    )


# ------------------------------------------------------------------ evaluating a statement


def _holds(formula, point: dict) -> bool | None:
    """Whether a point solves the statement, at 60 digits: False where a side is not a real
    number; None when a tie cannot be told apart (or it cannot be evaluated)."""
    if isinstance(formula, Joined):
        found = [_holds(p, point) for p in formula.parts]
        if formula.op == "or":
            return True if True in found else (None if None in found else False)
        return False if False in found else (None if None in found else True)
    claim = formula
    exact = {s: _fraction(v) for s, v in point.items()}
    if any(v is None for v in exact.values()):
        values = {s: _exact(v) for s, v in point.items()}
        left = sp.N(claim.lhs.xreplace(values), 60)
        right = sp.N(claim.rhs.xreplace(values), 60)
        if not (left.is_real and right.is_real) or left.has(sp.zoo, sp.nan):
            return False
        gap = left - right
        if abs(gap) < sp.Float(10) ** -40 * (1 + abs(left) + abs(right)):
            return claim.relation in ("=", ">=", "<=")
        return bool(RELATIONAL[claim.relation](left, right))
    try:
        ev = precise.Evaluator(exact)
        left, right = ev.run(claim.lhs), ev.run(claim.rhs)
    except precise.NotPrecise:
        return None
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        return False
    if not (precise.finite(left.value) and precise.finite(right.value)):
        return False
    if _imaginary(left.value) or _imaginary(right.value):
        return False
    return precise.compare(left, right, claim.relation)


def _exact(value) -> sp.Expr:
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return sp.sympify(value)


def _imaginary(value) -> bool:
    imag = getattr(value, "imag", 0)
    return bool(imag) and abs(imag) > 1e-40 * (1 + abs(value))


def _fraction(value) -> Fraction | None:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, sp.Rational):
        return Fraction(int(value.p), int(value.q))
    return None


# ------------------------------------------------------------------ 3. several names


def _sampled(first, connective, second, symbols, continuous, domains) -> Verdict:
    """Several names: at each draw of the others, solve in one name (a name written
    alone on a side first: the one the learner solves for), in turn."""
    rng = np.random.default_rng([len(symbols), 24])
    bare = {
        side for c in atoms(first) + atoms(second) for side in (c.lhs, c.rhs) if side in continuous
    }
    targets = sorted(continuous, key=lambda s: (s not in bare, s.name)) or [None]
    decided, why, k = 0, "", 0
    for special, point in _draws(symbols, domains, rng):
        checkpoint()
        if decided >= MOST or (decided >= ENOUGH and remaining() < SAMPLE_RESERVE):
            break
        choices = [x for x in targets if x is None or x != special] or targets
        x = choices[k % len(choices)]
        k += 1
        fixed = {s: point[s] for s in symbols if s != x}
        try:
            if x is None:
                found = _truth(first, connective, second, fixed)
            else:
                found = _compare_in(first, second, connective, x, domains, fixed)
        except Refused as refused:
            why = str(refused)
            if x is not None:
                hunted = _hunt(first, second, connective, x, domains, fixed)
                if hunted is not None:
                    return hunted
            continue
        if found is None:
            continue
        verdict, _ = found
        if verdict.status != VALID:
            return verdict
        decided += 1
    if decided == 0:
        reason = f" ({why})" if why else ""
        return Verdict(UNDECIDED, f"could not find the solutions of these statements{reason}")
    names = ", ".join(str(s) for s in symbols)
    return Verdict(
        VALID,
        f"the two lines have the same solutions at {decided} exact draws of {names} "
        "(solved in one name at each; plausible, not proved)"
        if connective == "iff"
        else f"every solution of the line before solves this line at {decided} exact draws "
        f"of {names} (solved in one name at each; plausible, not proved)",
        "sampled",
    )


def _truth_table(first, connective, second, x, domain: Domain) -> Verdict:
    """Inequalities in one name that sympy cannot solve: both lines evaluated at the
    domain's aimed points and 200 random exact ones; a point where they disagree is the
    counterexample, agreement everywhere "plausible, not proved"."""
    rng = np.random.default_rng(47)
    points = list(dict.fromkeys([*domain.aimed(), *(domain.rational(rng) for _ in range(200))]))
    checked = 0
    for p in points:
        checkpoint()
        found = _truth(first, connective, second, {x: p})
        if found is None:
            continue
        verdict, _ = found
        if verdict.status != VALID:
            return verdict
        checked += 1
    if checked == 0:
        return Verdict(UNDECIDED, "could not evaluate these statements at any point")
    return Verdict(
        VALID,
        f"the two lines agree at {checked} exact points of {x}'s domain, aimed at its edges "
        "(sympy could not solve them; plausible, not proved)",
        "sampled",
    )


def _truth(first, connective, second, fixed):
    """No continuous name: both statements evaluated at one point."""
    one, two = _holds(first, fixed), _holds(second, fixed)
    if one is None or two is None:
        return None
    if one and not two:
        return _counterexample(fixed, True, first, second), True
    if two and not one and connective == "iff":
        return _counterexample(fixed, False, second, first), True
    return Verdict(VALID, "holds here", "exact"), True


def _draws(symbols, domains, rng) -> list[tuple]:
    """(the name at a special value or None, a point): each name at its special points
    (0, ±1, the edges of its interval) with the others random, then random points."""
    draws = []
    for value in (Fraction(1), Fraction(2)):  # every name at once at a small value: a
        # counterexample a learner can check by hand
        if all(domains[s].contains(float(value)) for s in symbols):
            draws.append((None, {s: value for s in symbols}))
    specials = {s: _special(domains[s]) for s in symbols}
    for k in range(max((len(v) for v in specials.values()), default=0)):
        for s in symbols:  # round the names: each name's first special point first
            if k < len(specials[s]):
                base = {t: domains[t].rational(rng) for t in symbols}
                base[s] = specials[s][k]
                draws.append((s, base))
    draws += [(None, {s: domains[s].rational(rng) for s in symbols}) for _ in range(DRAWS)]
    return draws


def _special(domain: Domain) -> list[Fraction]:
    values = [Fraction(0), Fraction(1), Fraction(-1), Fraction(2)]
    for edge in (domain.low, domain.high):
        if not math.isinf(edge):
            values += [Fraction(edge), Fraction(edge) + 1, Fraction(edge) - 1]
    out = []
    for v in values:
        if domain.contains(float(v)) and v not in out:
            out.append(v)
    return out


# ------------------------------------------------------------------ the counterexample


def _counterexample(point: dict, lost: bool, solves: Claim, fails: Claim) -> Verdict:
    shown = {str(s): _shown(v) for s, v in sorted(point.items(), key=lambda kv: str(kv[0]))}
    where = ", ".join(f"{k} = {v}" for k, v in shown.items())
    if lost:
        message = f"{where} solves the line before but not this line: a solution is lost"
        labels = ("the line before", "this line")
    else:
        message = f"{where} solves this line but not the line before: a solution is gained"
        labels = ("this line", "the line before")
    return Verdict(
        INVALID,
        message,
        "exact",
        Counterexample(
            shown, _sides(solves, point, True), _sides(fails, point, False), labels=labels
        ),
    )


def _sides(formula, point: dict, holds: bool) -> str:
    if isinstance(formula, Joined):
        return "holds" if holds else "fails"
    claim = formula
    values = {
        s: (sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v)
        for s, v in point.items()
    }
    parts = []
    for side in (claim.lhs, claim.rhs):
        try:
            value = sp.N(side.xreplace(values), 15)
            parts.append(_number(value) if value.is_real else "not a real number")
        except (TypeError, ValueError, ZeroDivisionError):
            parts.append("undefined")
    rel = relations.text(claim.relation)
    return f"{'holds' if holds else 'fails'} ({parts[0]} {rel} {parts[1]})"


def _number(value) -> str:
    if value == int(value):
        return str(int(value))
    return f"{float(value):.12g}"


def _shown(value) -> str:
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    text = sp.sstr(value)
    number = sp.N(value, 12)
    return text if text == sp.sstr(number) or len(text) < 24 else f"{text} ≈ {sp.sstr(number)}"
