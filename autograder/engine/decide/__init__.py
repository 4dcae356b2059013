"""Deciding one step: symbolic, then exact scalar points, then randomized instances."""
