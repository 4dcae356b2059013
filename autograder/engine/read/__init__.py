"""Reading: the learner's LaTeX chain (or Python objects) → steps holding syntax trees."""
