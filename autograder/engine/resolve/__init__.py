"""Resolving: every name in a syntax tree bound to what the problem declares → sympy IR."""
