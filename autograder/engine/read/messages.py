"""What the parser did not expect, in words a learner can act on."""

from __future__ import annotations

from autograder.engine.read.parts import Tok

_ATOM_STARTS = frozenset(
    "NUMBER LETTER GREEK TEXT ONES OPEN LBRACE FRAC BINOM SQRT ACCENT FUNC BIGOP INT NABLA "
    "EXPECT VAR COV KL".split()
)


def tok_text(s: str, t: Tok) -> str:
    text = s[t.start : t.end]
    return text if text else t.value


def _expected_words(expected) -> str:
    if "DIFF" in expected:
        return "the differential (such as `dz`) that closes the integral"
    if expected & _ATOM_STARTS:
        return "an expression"
    if "RBRACE" in expected:
        return "`}`"
    if "CLOSE" in expected:
        return "a closing bracket"
    if "IDX_CLOSE" in expected:
        return "`]`"
    return "something else"


def unexpected_message(s: str, seg: list[Tok], idx: int, expected, after: Tok | None) -> str:
    what = _expected_words(set(expected))
    if idx >= len(seg):
        prev = seg[-1]
        if "DIFF" in expected:
            return "the integral has no differential such as `dz` closing it"
        return f"expected {what} after `{tok_text(s, prev)}`"
    t = seg[idx]
    d = tok_text(s, t)
    if t.type == "COMMA":
        return "unexpected `,` — a comma only separates function arguments, e.g. `p(x, z)`"
    if t.type == "GIVEN":
        return f"unexpected `{d}` — a bar is only read after a function name, e.g. `p(x|z)`"
    if t.type == "PARALLEL":
        return f"unexpected `{d}` — it only separates the two sides of `\\mathrm{{KL}}(q \\| p)`"
    if t.type == "REL":
        return f"unexpected `{d}` — a relation cannot stand inside brackets"
    if t.type == "SIM":
        return "`\\sim` is only read in an expectation's subscript, e.g. `\\mathbb{E}_{z \\sim q}`"
    if "DIFF" in expected and t.type in ("CLOSE", "RBRACE", "IDX_CLOSE"):
        return "the integral has no differential such as `dz` closing it"
    if idx == 0:
        where = f" after `{tok_text(s, after)}`" if after is not None else ""
        return f"unexpected `{d}` — expected {what}{where}"
    return f"unexpected `{d}` — expected {what} after `{tok_text(s, seg[idx - 1])}`"
