"""autograder: checks a learner's derivation, step by step.

    >>> from autograder import check
    >>> report = check("adam_unroll", r"m_t &= \\beta_1 m_{t-1} + (1-\\beta_1) g_t")
    >>> report.steps[1].status
    'valid'

`check(problem_id, answer)` returns a `Report` (`.ok`, `.reached_target`, `.first_error`,
`.steps`, `.to_dict()`, and a rich notebook display).  The answer is a LaTeX chain (see
NOTATION in the docs) or a list of expressions and relations built with
`autograder.pyform` (one example per problem is in that module's docstring).  In a notebook,
`%load_ext autograder` enables the `%%derivation <problem_id>` cell magic; in a terminal,
`autograder check <problem_id> FILE`.  Heavy imports (sympy, IPython) are deferred until used.
"""

from __future__ import annotations

__all__ = ["check", "load_ipython_extension"]


def load_ipython_extension(ipython) -> None:
    from autograder.magic import load_ipython_extension as _load

    _load(ipython)


def __getattr__(name: str):
    if name == "check":
        from autograder.api import check

        return check
    if name == "Report":
        from autograder.report import Report

        return Report
    raise AttributeError(name)
