r"""Higher derivatives: Hessians `\nabla^2_\theta f`, nested gradients
`\nabla_\theta(\nabla_\theta f)`, Jacobians of vector functions (`\nabla_\theta (A\theta)`,
`\frac{\partial (J\theta)}{\partial\theta}`), mixed partials and time derivatives
`\frac{d}{dt}` of a quantity that depends on t (a matrix exponential, a defined function).

A Jacobian and a Hessian are matrices (`ir.Jacobian`): in a product they do not commute
(`\delta^\top H \delta`).  Every rule has a valid twin (accepted) and a wrong twin (rejected).
"""

import pytest

from autograder.engine.check import check
from autograder.engine.read.reader import read

VECTORS = r"% let \theta, x, \delta \in \mathbb{R}^d"
MATRIX = r"% let \theta \in \mathbb{R}^d; A \in \mathbb{R}^{d\times d}"

TWINS = {
    "the Hessian of a quadratic form": (
        MATRIX,
        r"\nabla^2_\theta (\theta^\top A \theta) = A + A^\top",
        r"\nabla^2_\theta (\theta^\top A \theta) = 2A",
    ),
    "the Hessian is the Jacobian of the gradient": (
        VECTORS,
        r"\nabla^2_\theta (x^\top\theta)^2 = \nabla_\theta (2 (x^\top\theta) x)",
        r"\nabla^2_\theta (x^\top\theta)^2 = \nabla_\theta (2 (x^\top\theta) \theta)",
    ),
    "a curvature along a direction": (
        VECTORS,
        r"\delta^\top \nabla^2_\theta (x^\top\theta)^2 \delta = 2 (x^\top \delta)^2",
        r"\delta^\top \nabla^2_\theta (x^\top\theta)^2 \delta = 2 (\delta^\top \delta)^2",
    ),
    "a nested gradient (the logistic log-partition)": (
        VECTORS,
        r"\delta^\top \nabla_\theta(\nabla_\theta \log(1 + e^{x^\top\theta})) \delta"
        r" = \frac{e^{x^\top\theta}}{(1+e^{x^\top\theta})^2} (x^\top\delta)^2",
        r"\delta^\top \nabla_\theta(\nabla_\theta \log(1 + e^{x^\top\theta})) \delta"
        r" = \frac{1}{1+e^{x^\top\theta}} (x^\top\delta)^2",
    ),
    "the trace of a Hessian": (
        VECTORS,
        r"\mathrm{tr}(\nabla^2_\theta (\theta^\top \theta)^2) = (4d + 8) \theta^\top\theta",
        r"\mathrm{tr}(\nabla^2_\theta (\theta^\top \theta)^2) = 4d\, \theta^\top\theta",
    ),
    "a Jacobian, rows the outputs": (
        MATRIX,
        r"\nabla_\theta (A\theta) = A",
        r"\nabla_\theta (A\theta) = A^\top",
    ),
    "a Jacobian written with partials": (
        r"% let \theta \in \mathbb{R}^d; J \in \mathbb{R}^{n\times d}",
        r"\frac{\partial (J\theta)}{\partial \theta} = J",
        r"\frac{\partial (J\theta)}{\partial \theta} = J^\top",
    ),
    "a second derivative of a scalar": (
        r"% let x \in \mathbb{R}",
        r"\frac{d}{dx} \frac{d}{dx} x^3 = 6x",
        r"\frac{d}{dx} \frac{d}{dx} x^3 = 3x^2",
    ),
    "mixed partials": (
        r"% let x, y \in \mathbb{R}",
        r"\nabla_x \nabla_y (x^2 y^3) = 6 x y^2",
        r"\nabla_x \nabla_y (x^2 y^3) = 6 x y",
    ),
    "a time derivative of a matrix exponential": (
        r"% let \Theta \in \mathbb{R}^{n\times n}, positive definite; f, y \in \mathbb{R}^n; "
        r"\eta > 0; t > 0",
        r"\frac{d}{dt}\left[e^{-\eta\Theta t}(f - y)\right] = -\eta\Theta e^{-\eta\Theta t}(f - y)",
        r"\frac{d}{dt}\left[e^{-\eta\Theta t}(f - y)\right] = -\eta e^{-\eta\Theta t}(f - y)",
    ),
    "a time derivative of a matrix": (
        r"% let \Theta \in \mathbb{R}^{n\times n}, positive definite; \eta > 0; t > 0",
        r"\frac{d}{dt} e^{-\eta\Theta t} = - e^{-\eta\Theta t}\eta\Theta",
        r"\frac{d}{dt} e^{-\eta\Theta t} = -\eta e^{-\eta\Theta t}",
    ),
    "a time derivative of a defined vector": (
        r"% let A \in \mathbb{R}^{n\times n}; x_0 \in \mathbb{R}^n; t > 0; x(s) = e^{-sA} x_0",
        r"\frac{d}{dt} x(t) = -A x(t)",
        r"\frac{d}{dt} x(t) = -A^\top x(t)",
    ),
    "gradients of quadratic forms and least squares": (
        r"% let \theta \in \mathbb{R}^d; y \in \mathbb{R}^n; J \in \mathbb{R}^{n\times d}",
        r"\nabla_\theta \frac12 \|J\theta - y\|^2 = J^\top (J\theta - y)",
        r"\nabla^2_\theta \frac12 \|J\theta - y\|^2 = J J^\top",
    ),
    "a time derivative of a defined quantity": (
        r"% let t > 0; a \in \mathbb{R}; g(s) = e^{a s} \sin(s)",
        r"\frac{d}{dt} g(t) = a g(t) + e^{a t}\cos(t)",
        r"\frac{d}{dt} g(t) = a g(t)",
    ),
}


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_valid_twin_accepted_wrong_twin_rejected(rule):
    lets, valid, wrong = TWINS[rule]
    good = check(None, f"{lets}\n{valid}")
    assert good.steps[-1].status == "valid", (rule, str(good))
    bad = check(None, f"{lets}\n{wrong}")
    assert bad.steps[-1].status == "invalid", (rule, str(bad))


def test_the_hessian_reads_as_the_gradient_of_the_gradient():
    hessian = read(r"\nabla^2_\theta f").steps[0].expr
    nested = read(r"\nabla_\theta \nabla_\theta f").steps[0].expr
    assert type(hessian) is type(nested) and type(hessian.body) is type(nested.body)
    assert hessian.body.var == nested.body.var


def test_only_the_second_power_of_nabla_is_read():
    step = read(r"\nabla^3_\theta f").steps[0]
    assert step.error is not None and "superscript 2 only" in step.error.message


def test_the_gradient_of_a_matrix_is_refused_in_words():
    report = check(None, f"{MATRIX}\n\\nabla_\\theta A = 0")
    assert report.steps[0].status == "unreadable"
    assert "the gradient of a matrix is not read" in report.steps[0].message


FAMILY = r"% let N data points x_i; p_\theta(x) softmax model; i \in \{1, \dots, N\}"
SCORE = r"(\nabla_\theta \log p_\theta(x))(\nabla_\theta \log p_\theta(x))^\top"


def test_an_expected_outer_product_of_scores_is_a_matrix():
    """The Fisher information two ways (a softmax model): the expectation of the score's
    outer product is minus the expected Hessian; the Hessian's sign is the wrong twin.
    (A softmax model is an exponential family, where the Hessian of log p is the same at
    every x: a step true only there needs a family that is not one to be caught.)"""
    fisher = rf"\mathbb{{E}}_{{x \sim p_\theta}}[{SCORE}]"
    hessian = r"\mathbb{E}_{x \sim p_\theta}[\nabla^2_\theta \log p_\theta(x)]"
    good = check(None, f"{FAMILY}\n{fisher} = -{hessian}")
    assert good.steps[-1].status == "valid", str(good)
    bad = check(None, f"{FAMILY}\n{fisher} = {hessian}")
    assert bad.steps[-1].status == "invalid", str(bad)
    # the expectation of a matrix is a matrix: a trace of it, a product with it in order
    score = r"(\nabla_\theta \log p_\theta(x))"
    inner = rf"\mathbb{{E}}_{{x \sim p_\theta}}[{score}^\top {score}]"
    assert check(None, f"{FAMILY}\n\\mathrm{{tr}}({fisher}) = {inner}").ok
    mean = rf"\mathbb{{E}}_{{x \sim p_\theta}}[{score}]"
    wrong = check(None, f"{FAMILY}\n\\mathrm{{tr}}({fisher}) = {mean}^\\top {mean}")
    assert wrong.steps[-1].status == "invalid", str(wrong)


def test_a_quadratic_form_in_an_expected_outer_product():
    second = r"\mathbb{E}_{x \sim p_\theta}[\phi(x)\phi(x)^\top]"
    good = check(
        None,
        f"{FAMILY}\n\\theta^\\top {second} \\theta = "
        r"\mathbb{E}_{x \sim p_\theta}[(\theta^\top \phi(x))^2]",
    )
    assert good.steps[-1].status == "valid", str(good)
    bad = check(
        None,
        f"{FAMILY}\n\\theta^\\top {second} \\theta = "
        r"(\mathbb{E}_{x \sim p_\theta}[\theta^\top \phi(x)])^2",
    )
    assert bad.steps[-1].status == "invalid", str(bad)
