"""The learner's tools: the self-study workspace, progress, hints, worked solutions, and mock
interviews (timed derivations, follow-ups, scorecards, what to rehearse next)."""
