r"""Matrices (`kinds/matrices.py`): products that do not commute, transposes, inverses,
traces, determinants, the matrix exponential, matrix-vector and outer products.

Every rule has a valid twin (accepted) and a wrong twin (rejected); a step true only for
commuting or diagonal matrices is caught; a line undefined at the declared sizes (a
product needing d = n where n and d are declared apart) is wrong at its line, its sizes
named, with a counterexample where the sizes may meet; nothing crashes.
"""

import pytest

from autograder.engine.check import check

SQUARE = r"% let A, B, C \in \mathbb{R}^{n\times n}; u, v, x \in \mathbb{R}^n"

# (declarations, a valid step, its wrong twin)
TWINS = {
    "trace is cyclic, not symmetric": (
        SQUARE,
        r"\mathrm{tr}(ABC) = \mathrm{tr}(CAB)",
        r"\mathrm{tr}(ABC) = \mathrm{tr}(BAC)",
    ),
    "a square of a sum": (
        SQUARE,
        r"(A+B)^2 = A^2 + AB + BA + B^2",
        r"(A+B)^2 = A^2 + 2AB + B^2",
    ),
    "a square of a product": (SQUARE, r"(AB)^2 = ABAB", r"(AB)^2 = A^2 B^2"),
    "the exponential of a sum": (
        SQUARE,
        r"e^{A+A} = e^{A} e^{A}",
        r"e^{A+B} = e^{A} e^{B}",
    ),
    "the exponential commutes with its own matrix": (
        SQUARE,
        r"A e^{A} = e^{A} A",
        r"B e^{A} = e^{A} B",
    ),
    "a transposed product": (SQUARE, r"(AB)^\top = B^\top A^\top", r"(AB)^\top = A^\top B^\top"),
    "an inverted product": (SQUARE, r"(AB)^{-1} = B^{-1}A^{-1}", r"(AB)^{-1} = A^{-1}B^{-1}"),
    "the inverse of a transpose": (
        SQUARE,
        r"(A^\top)^{-1} = (A^{-1})^\top",
        r"(A^\top)^{-1} = A^{-1}",
    ),
    "a determinant is multiplicative, not additive": (
        SQUARE,
        r"\det(AB) = \det(A)\det(B)",
        r"\det(A+B) = \det(A)+\det(B)",
    ),
    "a determinant of a multiple": (SQUARE, r"\det(2A) = 2^n \det(A)", r"\det(2A) = 2\det(A)"),
    "the determinant of an exponential": (
        SQUARE,
        r"\det(e^{A}) = e^{\mathrm{tr}(A)}",
        r"\mathrm{tr}(e^{A}) = e^{\mathrm{tr}(A)}",
    ),
    "a quadratic form sees the symmetric part": (
        SQUARE,
        r"x^\top A x = x^\top A^\top x",
        r"x^\top A x = x^\top A^2 x",
    ),
    "the trace of an outer product": (
        SQUARE,
        r"\mathrm{tr}(u v^\top A) = v^\top A u",
        r"\mathrm{tr}(u v^\top A) = u^\top A v",
    ),
    "an outer product times a vector": (
        SQUARE,
        r"u v^\top x = (v^\top x) u",
        r"u v^\top x = (u^\top x) v",
    ),
    "matrix-vector products associate, not commute": (SQUARE, r"A(Bx) = (AB)x", r"ABx = BAx"),
    "a scalar between matrices before a trailing vector": (
        rf"{SQUARE}; t \in \mathbb{{R}}",
        r"A t A x = t A^2 x",
        r"A t B x = t B A x",
    ),
    "scalars between matrices, a vector last": (
        rf"{SQUARE}; s, t \in \mathbb{{R}}",
        r"2 A t B s x = 2 s t A (B x)",
        r"A t B s x = s A B x",
    ),
    "a transposed bracket after a vector is an outer product": (
        SQUARE,
        r"x x^\top A = x (A^\top x)^\top",
        r"x x^\top A = x (A x)^\top",
    ),
    "outer products of sums": (
        SQUARE,
        r"(u + v)(u+v)^\top = u u^\top + u v^\top + v u^\top + v v^\top",
        r"(u + v)(u+v)^\top = u u^\top + 2 u v^\top + v v^\top",
    ),
    "a sum of matrices over an index": (
        SQUARE,
        r"\sum_{i=1}^{n} x_i A = (\sum_{i=1}^{n} x_i) A",
        r"\sum_{i=1}^{n} x_i A = (\sum_{i=1}^{n} x_i^2) A",
    ),
    "the determinant of an inverse": (
        SQUARE,
        r"\det(A^{-1}) = \frac{1}{\det(A)}",
        r"\det(A^{-1}) = \det(A)",
    ),
    "the trace is linear, not multiplicative": (
        SQUARE,
        r"\mathrm{tr}(A + B) = \mathrm{tr}(A) + \mathrm{tr}(B)",
        r"\mathrm{tr}(AB) = \mathrm{tr}(A)\mathrm{tr}(B)",
    ),
    "the identity": (
        r"% let A \in \mathbb{R}^{n\times n}; I \in \mathbb{R}^{n\times n}, identity; \lambda > 0",
        r"(A + \lambda I)^2 = A^2 + 2\lambda A + \lambda^2 I",
        r"(A + \lambda I)^2 = A^2 + \lambda A + \lambda^2 I",
    ),
    "a number against a matrix is a multiple of the identity": (
        r"% let A \in \mathbb{R}^{n\times n}; I \in \mathbb{R}^{n\times n}, identity",
        r"e^{0 \cdot A} = I",
        r"e^{0 \cdot A} = A",
    ),
    "a matrix is not a number": (SQUARE, r"A^{0} B = B", r"A = 1"),
    "symmetric": (
        r"% let S \in \mathbb{R}^{n\times n}, symmetric; A \in \mathbb{R}^{n\times n}",
        r"S^\top = S",
        r"A^\top = A",
    ),
    "positive definite": (
        r"% let F \in \mathbb{R}^{n\times n}, positive definite; S \in \mathbb{R}^{n\times n}, "
        r"symmetric; x \in \mathbb{R}^n",
        r"x^\top F x \ge 0",
        r"x^\top S x \ge 0",
    ),
    "low rank": (
        r"% let r \in \mathbb{N}; A \in \mathbb{R}^{n\times n}, low rank r",
        r"A = A",
        r"\det(A) = 0",
    ),
    "rectangular": (
        r"% let J \in \mathbb{R}^{n\times d}",
        r"\mathrm{tr}(J J^\top) = \mathrm{tr}(J^\top J)",
        r"J J^\top = J^\top J",
    ),
    "a kernel's exponential commutes with the kernel, not with another matrix": (
        r"% let \Theta, J \in \mathbb{R}^{n\times n}; f, y \in \mathbb{R}^n; \eta > 0; t > 0",
        r"e^{-\eta \Theta t}\Theta (f - y) = \Theta e^{-\eta\Theta t}(f - y)",
        r"e^{-\eta \Theta t} J (f - y) = J e^{-\eta\Theta t}(f - y)",
    ),
}


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_valid_twin_accepted_wrong_twin_rejected(rule):
    lets, valid, wrong = TWINS[rule]
    good = check(None, f"{lets}\n{valid}")
    assert good.steps[-1].status == "valid", (rule, str(good))
    bad = check(None, f"{lets}\n{wrong}")
    assert bad.steps[-1].status == "invalid", (rule, str(bad))


def test_a_step_true_only_for_diagonal_matrices_is_caught():
    # diagonal matrices commute: the tight case "diagonal" does not make AB = BA valid
    report = check(None, f"{SQUARE}\nAB = BA")
    assert report.steps[-1].status == "invalid"
    assert "counterexample" in str(report)


def test_the_tight_cases_are_drawn():
    """Identity, zero, diagonal, rank one, nearly singular: a step that holds on them only
    (A^2 = A holds at the identity and at zero) is still caught, and a valid step survives
    them (a singular matrix's inverse is undefined there and skipped, not a counterexample)."""
    report = check(None, f"{SQUARE}\n\\mathrm{{tr}}(A^{{-1}} B A) = \\mathrm{{tr}}(B)")
    assert report.steps[-1].status == "valid", str(report)
    assert "tight cases" in report.steps[-1].message
    assert check(None, f"{SQUARE}\nA^2 = A").steps[-1].status == "invalid"


RECT = r"% let J \in \mathbb{R}^{n\times d}"


@pytest.mark.parametrize(
    "lets,line,said",
    [
        (RECT, r"\mathrm{tr}(J J) = 0", "`J` is n×d"),
        (rf"{RECT}; x \in \mathbb{{R}}^n", "J x = x", "undefined unless d = n"),
        (
            rf"{RECT}; f, y \in \mathbb{{R}}^n",
            r"J^\top J (f - y) = 0",
            "has n entries: the product is undefined unless d = n",
        ),
        (RECT, r"\det(J) = 0", "is n×d, not square"),
        (r"% let A \in \mathbb{R}^{2\times 3}", r"A A = A", "undefined (3 ≠ 2)"),
    ],
)
def test_a_line_undefined_at_the_declared_sizes_is_wrong_at_its_line(lets, line, said):
    """Sizes declared apart (n and d) are not equal in general: a line whose product, sum,
    trace or determinant needs them equal is a wrong line, not an unreadable one."""
    report = check(None, f"{lets}\n{line}")
    first = report.steps[0]
    assert first.status == "invalid", str(report)
    assert "line 2, column" in first.message and said in first.message, first.message
    assert not report.ok


@pytest.mark.parametrize(
    "lets,line,said",
    [
        (r"% let A \in \mathbb{R}^{n\times n}", "A + 1 = A", "a matrix plus `1`"),
        (r"% let A \in \mathbb{R}^{n\times n}", r"A^{1/2} A^{1/2} = A", "integer exponents"),
        (r"% let x \in \mathbb{R}^{n}", r"\det x = 1", "is not one"),
        (r"% let x \in \mathbb{R}^{n}", r"\mathrm{tr}(x) = 1", "is not one"),
        (
            r"% let A \in \mathbb{R}^{n\times n}; x \in \mathbb{R}^n",
            r"\mathrm{tr}(x) = 1",
            "not one",
        ),
    ],
)
def test_what_no_size_defines_is_refused_at_its_line(lets, line, said):
    report = check(None, f"{lets}\n{line}")
    first = report.steps[0]
    assert first.status == "unreadable", str(report)
    assert "line 2" in first.message and said in first.message, first.message


# (declarations, the line before, a valid line, a line undefined at the declared sizes)
UNDEFINED_TWINS = {
    "J J^T against J^T J before a vector": (
        r"% let J \in \mathbb{R}^{n\times d}; f, y \in \mathbb{R}^n",
        r"J J^\top (f - y)",
        r"J (J^\top f - J^\top y)",
        r"J^\top J (f - y)",
    ),
    "a factor moved across an exponential it does not commute with": (
        r"% let K \in \mathbb{R}^{n\times n}, symmetric; J \in \mathbb{R}^{n\times d}; "
        r"v \in \mathbb{R}^d",
        r"e^{K} J v",
        r"e^{K} (J v)",
        r"J e^{K} v",
    ),
}


@pytest.mark.parametrize("rule", sorted(UNDEFINED_TWINS))
def test_an_undefined_line_is_invalid_with_a_counterexample_where_sizes_meet(rule):
    lets, before, valid, undefined = UNDEFINED_TWINS[rule]
    good = check(None, f"{lets}\n{before} = {valid}")
    assert good.steps[-1].status == "valid", str(good)
    bad = check(None, f"{lets}\n{before} = {undefined}")
    last = bad.steps[-1]
    assert last.status == "invalid", str(bad)
    assert "undefined unless d = n" in last.message and "where it is defined" in last.message
    assert last.counterexample is not None, last.message


def test_an_undefined_line_that_holds_where_sizes_meet_is_still_wrong():
    """J I x is J x where d = n, but n and d are declared apart."""
    lets = (
        r"% let J \in \mathbb{R}^{n\times d}; I \in \mathbb{R}^{n\times n}, identity; "
        r"x \in \mathbb{R}^d"
    )
    assert check(None, f"{lets}\nJ x = I J x").steps[-1].status == "valid"
    report = check(None, f"{lets}\nJ x = J I x")
    last = report.steps[-1]
    assert last.status == "invalid", str(report)
    assert "undefined unless d = n" in last.message and "holds only where" in last.message


def test_the_line_after_an_undefined_one_is_not_decided():
    lets = r"% let J \in \mathbb{R}^{n\times d}; f, y \in \mathbb{R}^n"
    report = check(None, lets + "\n" + r"J J^\top f = J^\top J f = J J^\top f")
    assert [str(s.status) for s in report.steps] == ["valid", "invalid", "undecided"], str(report)
    assert report.first_error == 1


def test_a_structure_on_a_rectangular_matrix_is_refused():
    report = check(None, "% let J \\in \\mathbb{R}^{n\\times d}, symmetric\nJ = J")
    assert "a symmetric matrix is square" in report.message


def test_the_counterexample_shows_the_matrices():
    report = check(None, f"{SQUARE}\n(AB)^\\top = A^\\top B^\\top")
    example = report.steps[-1].counterexample
    assert example is not None and "A" in example.instance and "B" in example.instance
    assert example.instance["A"].startswith("[")


@pytest.mark.parametrize(
    "line,said",
    [
        (r"\log(A) = A", r"`\log` of a matrix is not read"),
        (r"|A| = A", r"`|\cdot|` of a matrix is not read"),
        (r"\|A\| = 1", r"`\|\cdot\|` of a matrix is not read"),
        (r"\max(A, B) = A", r"`\max` of a matrix is not read"),
        (r"\sqrt{A} = A", "the square root of a matrix is not read"),
        (r"x A = A x", "a vector times a matrix"),
        (r"x^\top A = 0", "a row vector alone is not read"),
        (r"\nabla_A \mathrm{tr}(A) = 1", "a gradient with respect to the matrix `A`"),
    ],
)
def test_what_is_not_read_of_a_matrix_is_said(line, said):
    report = check(None, f"{SQUARE}\n{line}")
    assert report.steps[0].status == "unreadable", str(report)
    assert said in report.steps[0].message, report.steps[0].message


def test_an_inequality_between_matrices_is_not_decided():
    """Entry by entry it would mean something else than an order of matrices."""
    for line in (r"A \le B", r"A > 0"):
        step = check(None, f"{SQUARE}\n{line}").steps[-1]
        assert step.status == "undecided"
        assert "an inequality between matrices is not read" in step.message


# issue 25/22: special points of matrices beyond the tight cases (`matrix_points`,
# `special_pairs`) and sizes swept to 7 and 10 (`search.matrix_size_instances`): for each
# class, (declarations, a valid step, a wrong step caught only there or by its class)
SPECIAL = {
    "equal matrices: a strict inequality false only at A = B": (
        SQUARE,
        r"\mathrm{tr}((A-B)(A-B)^\top) \ge 0",
        r"\mathrm{tr}((A-B)(A-B)^\top) > 0",
    ),
    "equal symmetric matrices": (
        r"% let S, T \in \mathbb{R}^{n\times n}, symmetric",
        r"\mathrm{tr}((S-T)^2) \ge 0",
        r"\mathrm{tr}((S-T)^2) > 0",
    ),
    "commuting matrices: the exponential of a sum": (
        SQUARE,
        r"e^{A} e^{A^2} = e^{A + A^2}",
        r"e^{A} e^{B} = e^{A + B}",
    ),
    "commuting symmetric matrices (both diagonal): a transposed product": (
        r"% let S, T \in \mathbb{R}^{n\times n}, symmetric",
        r"(ST)^\top = TS",
        r"(ST)^\top = ST",
    ),
    "symmetric against not: the trace of a product with a transpose": (
        r"% let S \in \mathbb{R}^{n\times n}, symmetric; A, B \in \mathbb{R}^{n\times n}",
        r"\mathrm{tr}(S^\top B) = \mathrm{tr}(SB)",
        r"\mathrm{tr}(A^\top B) = \mathrm{tr}(AB)",
    ),
    "orthogonal against not": (
        r"% let Q \in \mathbb{R}^{n\times n}, orthogonal; A \in \mathbb{R}^{n\times n}; "
        r"I \in \mathbb{R}^{n\times n}, identity",
        r"Q^\top Q = I",
        r"A^\top A = I",
    ),
    "an orthogonal matrix's inverse is its transpose, not a random one's": (
        r"% let Q \in \mathbb{R}^{n\times n}, orthogonal; A \in \mathbb{R}^{n\times n}",
        r"\det(Q)^2 = 1",
        r"\det(A)^2 = 1",
    ),
    "a determinant is not additive (at any size)": (
        SQUARE,
        r"\det(AB) = \det(BA)",
        r"\det(A+B) = \det(A)+\det(B)",
    ),
    "a claim polynomial in the size, true at n = 2, 3, 4 only": (
        r"% let A \in \mathbb{R}^{n\times n}; I \in \mathbb{R}^{n\times n}, identity",
        r"\mathrm{tr}(I) = n",
        r"\mathrm{tr}(I) = n + (n-2)(n-3)(n-4)",
    ),
    "the determinant of a multiple, against a quadratic in n equal to 2^n at 2, 3, 4": (
        SQUARE,
        r"\det(2A) = 2^n \det(A)",
        r"\det(2A) = (2n^2 - 6n + 8)\det(A)",
    ),
}


@pytest.mark.parametrize("rule", sorted(SPECIAL))
def test_special_points_and_sizes_valid_twin_accepted_wrong_twin_rejected(rule):
    lets, valid, wrong = SPECIAL[rule]
    good = check(None, f"{lets}\n{valid}")
    assert good.steps[-1].status == "valid", (rule, str(good))
    bad = check(None, f"{lets}\n{wrong}")
    assert bad.steps[-1].status == "invalid", (rule, str(bad))
    assert bad.steps[-1].counterexample is not None


@pytest.mark.parametrize(
    "lets,wrong,where",
    [
        (SQUARE, r"\mathrm{tr}((A-B)(A-B)^\top) > 0", "B equal to A"),
        (
            r"% let A \in \mathbb{R}^{n\times n}; I \in \mathbb{R}^{n\times n}, identity",
            r"\mathrm{tr}(I) = n + (n-2)(n-3)(n-4)",
            "n = 7",
        ),
        (SQUARE, r"\det(2A) = (2n^2 - 6n + 8)\det(A)", "n = 7"),
    ],
)
def test_the_counterexample_is_the_special_point_or_size(lets, wrong, where):
    """These fail nowhere the random draws and tight cases go: only at the pair or size."""
    example = check(None, f"{lets}\n{wrong}").steps[-1].counterexample
    assert example is not None
    assert where in " ".join(example.instance.values()) + " ".join(example.instance), example


def test_an_orthogonal_declaration_is_drawn_orthogonal():
    lets = r"% let Q \in \mathbb{R}^{n\times n}, orthogonal; I \in \mathbb{R}^{n\times n}, identity"
    assert check(None, f"{lets}\nQ Q^\\top = I").steps[-1].status == "valid"
    assert check(None, f"{lets}\nQ^{{-1}} = Q^\\top").steps[-1].status == "valid"
    assert check(None, f"{lets}\nQ = I").steps[-1].status == "invalid"
    refused = check(None, "% let J \\in \\mathbb{R}^{n\\times d}, orthogonal\nJ = J")
    assert "a orthogonal matrix is square" in refused.message or "square" in refused.message
