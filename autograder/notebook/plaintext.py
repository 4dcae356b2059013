r"""TeX as plain text, for what cannot show math: a page's title in the browser tab and the
navigation (`\\nabla_\\theta J` -> `∇_θ J` with Unicode sub- and superscripts)."""

from __future__ import annotations

import re

_TEXT_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Omega": "Ω",
    "nabla": "∇", "partial": "∂", "infty": "∞", "sum": "∑", "prod": "∏", "int": "∫",
    "ge": "≥", "geq": "≥", "le": "≤", "leq": "≤", "ne": "≠", "neq": "≠", "approx": "≈",
    "propto": "∝", "sim": "∼", "cdot": "·", "times": "×", "top": "⊤", "in": "∈", "to": "→",
    "mid": "|", "|": "‖", "parallel": "‖", ",": " ", ";": " ", "quad": " ", "qquad": " ",
    "dots": "…", "ldots": "…", "cdots": "⋯", "{": "{", "}": "}", "ell": "ℓ", "Vert": "‖",
    "lVert": "‖", "rVert": "‖", "vert": "|", "lvert": "|", "rvert": "|",
}  # fmt: skip
_SUBSCRIPT = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUPERSCRIPT = str.maketrans("0123456789+-=()in⊤", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀ")
_SCRIPT_CHARS = {"_": "0123456789+-=()aehijklmnoprstuvx", "^": "0123456789+-=()in⊤"}
_ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "overline": "\u0305",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "vec": "\u20d7",
    "dot": "\u0307",
}
_TEX_PIECE = re.compile(r"\\([A-Za-z]+|.)|([_^])|(\{)|(\})|([^\\_^{}]+)", re.DOTALL)


def tex_to_text(tex: str) -> str:
    r"""Plain Unicode for a short formula in a title: `\sqrt{d_k}` → `√dₖ`.

    Enough for titles (Greek letters, common operators, roots, fonts, simple sub- and
    superscripts); a command it does not know shows as its name, never with a backslash."""
    out, _ = _tex_group(tex, 0)
    return " ".join(out.split())


def _tex_group(tex: str, at: int, single: bool = False) -> tuple[str, int]:
    """Text of `tex` from `at` to the closing brace (or of one item when `single`)."""
    out = []
    while single and at < len(tex) and tex[at] == " ":
        at += 1
    while at < len(tex):
        m = _TEX_PIECE.match(tex, at)
        at = m.end()
        command, script, opening, closing, plain = m.groups()
        if closing:
            break
        if opening:
            text, at = _tex_group(tex, at)
        elif script:
            text, at = _tex_group(tex, at, single=True)
            chars = _SCRIPT_CHARS[script]
            table = _SUBSCRIPT if script == "_" else _SUPERSCRIPT
            text = (
                text.translate(table)
                if text and all(c in chars for c in text)
                else (f"{script}({text})" if len(text) > 1 else f"{script}{text}")
            )
        elif command in ("sqrt",):
            arg, at = _tex_group(tex, at, single=True)
            text = f"√{arg}" if len(arg) <= 2 else f"√({arg})"
        elif command in ("frac", "dfrac", "tfrac"):
            num, at = _tex_group(tex, at, single=True)
            den, at = _tex_group(tex, at, single=True)
            num, den = (f"({t})" if len(t) > 1 and not t.isalnum() else t for t in (num, den))
            text = f"{num}/{den}"
        elif command in _ACCENTS:
            arg, at = _tex_group(tex, at, single=True)
            text = arg + _ACCENTS[command] if len(arg) == 1 else arg
        elif command in ("left", "right", "big", "Big", "bigl", "bigr", "displaystyle"):
            text = ""
        elif command is not None:
            text = _TEXT_SYMBOLS.get(command, command if len(command) > 1 else command)
            if command in ("mathbb",):
                arg, at = _tex_group(tex, at, single=True)
                text = {"E": "𝔼", "R": "ℝ", "N": "ℕ", "Z": "ℤ"}.get(arg, arg)
            elif command in ("mathrm", "mathbf", "mathcal", "text", "operatorname", "mathit"):
                text, at = _tex_group(tex, at, single=True)
        else:
            text = plain if not single else plain[0]
            if single:
                at = m.start() + 1
        out.append(text)
        if single:
            break
    return "".join(out), at


# ---------------------------------------------------------------- building
