"""Free algebra: any chain of real-valued expressions, no fixed start or target."""

from autograder.engine.problem import Problem

SOURCE = "% let other names real"

PROBLEMS = [
    Problem(
        id="algebra",
        title="Any algebraic chain",
        statement=(
            "Check any chain of equalities and inequalities between real expressions; "
            "every name is a real number."
        ),
        source=SOURCE,
        hints=(
            "Each line must follow from the one before for every real value of every name.",
            "A step that is only right for positive values (like splitting a log) needs that "
            "assumption: it is shown wrong with a negative counterexample.",
        ),
        points=1,
        declares_free_names=True,
    ),
]
