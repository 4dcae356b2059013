"""Kinds of objects a problem can declare, one module each, in one registry.

Importing this package registers every built-in kind; a problem's `context` lists
declarations of them (`Densities(...)`, `MDP()`, `Real("beta_1", ...)` ...).
"""

from autograder.engine.kinds.base import REGISTRY, Kind, kind_of, register
from autograder.engine.kinds.convex import ConvexSGD
from autograder.engine.kinds.densities import Densities
from autograder.engine.kinds.discounted import DiscountedMDP
from autograder.engine.kinds.empirical import Dataset
from autograder.engine.kinds.family import Family
from autograder.engine.kinds.free import FreeNames
from autograder.engine.kinds.functions import Define, FunctionOf, Variable
from autograder.engine.kinds.gaussian import Gaussians, SmoothFunction
from autograder.engine.kinds.markov import MarkovChain
from autograder.engine.kinds.matrices import MatrixOf
from autograder.engine.kinds.mdp import MDP
from autograder.engine.kinds.network import Network
from autograder.engine.kinds.probability import ProbabilityVector
from autograder.engine.kinds.scalars import Index, Integer, Real
from autograder.engine.kinds.sequences import Definition, RandomSequence, Recurrence
from autograder.engine.kinds.small import Small
from autograder.engine.kinds.vectors import VectorOf

__all__ = [
    "MDP",
    "ConvexSGD",
    "REGISTRY",
    "Dataset",
    "Define",
    "Definition",
    "Densities",
    "DiscountedMDP",
    "Family",
    "FreeNames",
    "FunctionOf",
    "Gaussians",
    "MarkovChain",
    "MatrixOf",
    "Network",
    "ProbabilityVector",
    "Index",
    "Integer",
    "Kind",
    "RandomSequence",
    "Real",
    "Recurrence",
    "Small",
    "SmoothFunction",
    "Variable",
    "VectorOf",
    "kind_of",
    "register",
]
