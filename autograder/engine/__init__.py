"""The checker engine: read → resolve → decide → report, for a problem *declaration*.

    read/      the learner's LaTeX (or Python objects) → a syntax tree, in words when not
    resolve/   names bound to the problem's objects → sympy IR (`ir.py`)
    decide/    one step: symbolic, exact scalar, randomized instances
    kinds/     one module per kind of object: declaration, binding, instances
    check.py   the pipeline; report.py, render.py, readas.py, keysteps.py the judgement

The engine knows kinds of objects and relations, never a problem id (the curriculum
holds the problems).  Nothing is imported here, so `autograder.engine.read` stays light.
"""
