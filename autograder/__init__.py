"""autograder: checks a learner's derivation, step by step.

    >>> from autograder import check
    >>> report = check("adam_unroll", r"m_t &= \\beta_1 m_{t-1} + (1-\\beta_1) g_t")
    >>> report.steps[1].status
    'valid'

`check(problem_id, answer)` returns a `Report` (`.ok`, `.reached_target`, `.first_error`,
`.steps`, `.key_steps`, `.to_dict()`, and a rich notebook display).  The answer is a LaTeX
chain or a list of expressions and relations built with `autograder.engine.read.pyform`.
In a notebook, `%load_ext autograder` enables the `%%derivation <problem_id>` cell magic,
and the notebooks' cells use `hint`, `progress`, `solution`, `visible_test` and
`hidden_test` from here; in a terminal, `autograder check <problem_id> FILE`.

The package is layered (`CONTRIBUTING.md`): cli → website, learner → course → notebook →
curriculum → engine.  This module only re-exports, lazily: heavy imports (sympy, IPython)
wait until something is used.
"""

from __future__ import annotations

__all__ = [
    "Report",
    "check",
    "hidden_test",
    "hint",
    "load_ipython_extension",
    "progress",
    "solution",
    "visible_test",
]

_EXPORTS = {
    "check": "autograder.curriculum",
    "Report": "autograder.engine.report",
    "hint": "autograder.learner.study",
    "progress": "autograder.learner.study",
    "solution": "autograder.learner.study",
    "visible_test": "autograder.course.grading",
    "hidden_test": "autograder.course.grading",
}


def load_ipython_extension(ipython) -> None:
    from autograder.notebook.magic import load_ipython_extension as _load

    _load(ipython)


def __getattr__(name: str):
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
