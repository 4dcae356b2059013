"""The checker engine: read → resolve → decide → report, for a problem *declaration*.

    read/      the learner's LaTeX (or Python objects) → a syntax tree, in words when not
    resolve/   names bound to the problem's objects → sympy IR (`ir.py`)
    kinds/     one module per kind of object: declaration, binding, instances
    compile.py a problem's context compiled by its kinds
    decide/    one step: symbolic, exact scalar, randomized instances
    declare/   `% let` and `% show`: a problem declared in a cell
    judge/     an answer judged from its lines' records: the chain, statements, key steps
    check.py   the pipeline; report.py, render.py, readas.py, keysteps.py the judgement

Each layer imports only those below it (the order above, with ir, domains, relations,
limits, axes and verdicts at the bottom); `tests/test_layers.py` ranks them.

The engine knows kinds of objects and relations, never a problem id (the curriculum
holds the problems).  Nothing is imported here, so `autograder.engine.read` stays light.
"""
