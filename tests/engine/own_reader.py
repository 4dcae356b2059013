r"""The mutation test's own reading of a line and its own worlds (issue 22): independent of
the checker's reader, resolver, compiled context and instance generator.

The entry point its importers use (tests/engine/mutation_confirm_reader.py and the
test_own_* tests): `parse` a line, draw a `world` for one point, evaluate there, and catch
`Unknown`.  The work is split by job:

- tests/engine/own_parser.py: the tokenizer and recursive-descent reader of the LaTeX the
  curriculum's laws, data, vectors and random quantities are written in;
- tests/engine/own_world.py: `World`, the evaluator at mpmath precision (derivatives,
  Hessians, products of vectors and matrices), with its mixins
  tests/engine/own_world_names.py (names, definitions, densities, a softmax family and its
  Fisher information) and tests/engine/own_world_laws.py (joint tables, expectations as
  exact sums, Gaussian expectations by an own Gauss-Hermite rule, KL, big operators);
- tests/engine/own_arithmetic.py: sums, products, powers, `derivative`, relations, keys;
- tests/engine/own_worlds.py: `world(...)`, drawing a point's laws, functions, data,
  moments, smooth f, families, and the MDPs, matrices, convex runs and networks of the
  own_* modules beside it.

Anything it does not know raises `Unknown`: the caller then uses another confirmer.
"""

from __future__ import annotations

from tests.engine.own_parser import Unknown, parse
from tests.engine.own_world import World
from tests.engine.own_worlds import world

__all__ = ["Unknown", "World", "parse", "world"]
