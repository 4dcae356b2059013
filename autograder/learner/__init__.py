"""The learner's tools: the self-study workspace, progress, hints and worked solutions."""
