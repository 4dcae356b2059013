"""autograder: checks a learner's derivation step by step (placeholder, filled in below)."""
