r"""The reader's command tables: which LaTeX commands, words and characters mean what.

Greek letters: their names are `tree.GREEK` (the one table); here are only the other
spellings of the same letters (`\varepsilon`, `ε`).  Relations are `relations.py`'s.
Functions: `tree.FUNCTION_NAMES` and the spellings that lead to them (`\ln`, `\arcsin`,
`\operatorname{sgn}`).  Also the words refused with a reason (`\Pr`, `\det`), fonts,
spacing and wrapper commands, delimiters and blackboard letters.
"""

from __future__ import annotations

from autograder.engine import relations
from autograder.engine.read.tree import FUNCTION_NAMES, GREEK, HYPERBOLIC, INVERSE, TRIG

GREEK_COMMANDS = {g: g for g in GREEK}
GREEK_COMMANDS.update(
    varepsilon="epsilon",
    vartheta="theta",
    varphi="phi",
    varpi="pi",
    varrho="rho",
    varsigma="sigma",
    varkappa="kappa",
    varGamma="Gamma",
    varDelta="Delta",
    varTheta="Theta",
    varLambda="Lambda",
    varXi="Xi",
    varPi="Pi",
    varSigma="Sigma",
    varUpsilon="Upsilon",
    varPhi="Phi",
    varPsi="Psi",
    varOmega="Omega",
)
UNICODE_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩϵϑϕ∞",
        (
            "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
            "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon "
            "Phi Psi Omega epsilon theta phi infty"
        ).split(),
        strict=True,
    )
)

# LaTeX's own function commands (`\arcsin`, `\coth`, ...) -> the `Call` name
FUNCS = {f: f for f in (*TRIG, *HYPERBOLIC[:4], "log", "exp", "max", "min")}
FUNCS.update(ln="log", arcsin="asin", arccos="acos", arctan="atan", det="det")
# names read inside `\operatorname{…}`, `\mathrm{…}`, `\text{…}` (as sympy's `latex()` and
# textbooks spell them), and bare before a bracket: `sin(x)`, `asinh(x)`
FUNC_WORDS = dict(FUNCS)
FUNC_WORDS.update({f: f for f in FUNCTION_NAMES})
FUNC_WORDS.update(
    trace="tr", Tr="tr", sgn="sign", cosech="csch", arccot="acot", arcsec="asec", arccsc="acsc"
)
for _f in HYPERBOLIC:
    # sympy's inv_trig_style="full" prints arsinh; textbooks also write arcsinh
    FUNC_WORDS["ar" + _f] = FUNC_WORDS["arc" + _f] = INVERSE[_f]
KNOWN_FUNCTIONS = (
    "\\log, \\exp, trigonometric and hyperbolic functions and their inverses (\\arcsin, "
    "\\operatorname{sech}, \\operatorname{asinh}, ...), \\operatorname{sign}, \\max, \\min "
    "and \\operatorname{softmax}"
)
# words that name something the checker does not read, and what to write instead
REFUSED_WORDS = {
    "lg": "`{w}` is ambiguous (base 2 or base 10): write `\\log_2` or `\\log_{{10}}`; "
    "`\\log` is the natural logarithm",
    "Pr": "`{w}` (the probability of an event) is not read: write the density or mass "
    "function, e.g. `p(x)`",
    "argmax": "`{w}` (where a maximum is reached) is not read: write the value it stands for",
    "argmin": "`{w}` (where a minimum is reached) is not read: write the value it stands for",
    "arg": "`{w}` cannot be checked: write the value it stands for",
}

# command -> (token type, value)
SIMPLE_CMDS: dict[str, tuple[str, str]] = {
    "frac": ("FRAC", "frac"),
    "dfrac": ("FRAC", "frac"),
    "tfrac": ("FRAC", "frac"),
    "cfrac": ("FRAC", "frac"),
    "binom": ("BINOM", "binom"),
    "dbinom": ("BINOM", "binom"),
    "tbinom": ("BINOM", "binom"),
    "sqrt": ("SQRT", "sqrt"),
    "sum": ("BIGOP", "sum"),
    "prod": ("BIGOP", "prod"),
    "int": ("INT", "int"),
    "nabla": ("NABLA", "nabla"),
    "partial": ("PARTIAL", "partial"),
    "cdot": ("CDOT", "\\cdot"),
    "cdotp": ("CDOT", "\\cdot"),
    "times": ("MULOP", "\\times"),
    "ast": ("ASTERISK", "*"),
    "div": ("DIVOP", "\\div"),
    "sim": ("SIM", "sim"),
    "top": ("TOP", "top"),
    "intercal": ("TOP", "top"),
    "star": ("STAR", "star"),
    "prime": ("PRIMECMD", "prime"),
    "mid": ("GIVEN", "|"),
    "vert": ("BAR", "|"),
    "parallel": ("PARALLEL", "parallel"),  # only ever the KL separator, never a norm
    "Vert": ("PARALLEL", "||"),
    "langle": ("OPEN", "langle"),
    "rangle": ("CLOSE", "langle"),
    "lbrace": ("OPEN", "\\{"),
    "rbrace": ("CLOSE", "\\{"),
    "lbrack": ("OPEN", "["),
    "rbrack": ("CLOSE", "["),
    "lvert": ("OPEN", "|"),
    "rvert": ("CLOSE", "|"),
    "hat": ("ACCENT", "hat"),
    "widehat": ("ACCENT", "hat"),
    "bar": ("ACCENT", "bar"),
    "overline": ("ACCENT", "bar"),
    "tilde": ("ACCENT", "tilde"),
    "widetilde": ("ACCENT", "tilde"),
}
for _c, _r in relations.COMMANDS.items():
    SIMPLE_CMDS[_c] = ("REL", _r)
# statements joined: `x = 1 \lor x = 2`, `x = \pm 2` (read only where lines are statements)
SIMPLE_CMDS.update(lor=("LOGIC", "or"), vee=("LOGIC", "or"), land=("LOGIC", "and"))
SIMPLE_CMDS.update(wedge=("LOGIC", "and"), pm=("PM", "pm"), mp=("PM", "mp"))
for _c, _r in relations.CONNECTIVES.items():  # between statements: `steps` cuts a line at them
    SIMPLE_CMDS[_c] = ("CONN", _r)

IGNORED_CMDS = set(
    (
        "quad qquad enspace enskip thinspace medspace thickspace negthinspace negmedspace "
        "negthickspace displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits "
        "nonumber notag relax allowbreak hfill boxed mathop mathord mathbin mathrel rm it bf "
        "nobreak strut"
    ).split()
)
IGNORED_WITH_ARG = {"tag", "tag*", "label", "hspace", "hspace*", "vspace", "vspace*"}
IGNORED_WITH_ARG |= {"phantom", "hphantom", "vphantom", "color", "mspace"}
BOLD_FONTS = set(
    "mathbf boldsymbol bm vec mathit mathsf mathcal mathnormal mathbb mathscr mathfrak "
    "pmb mathtt mathbfit".split()
)
UPRIGHT_FONTS = set(
    "mathrm text textrm textit textbf textsf texttt textnormal mbox operatorname "
    "operatorname* textup".split()
)
DELIM_SIZERS = set(
    "left right middle big Big bigg Bigg bigl bigr bigm Bigl Bigr Bigm biggl biggr biggm "
    "Biggl Biggr Biggm".split()
)
WORD_TOKENS = {"E": ("EXPECT", "E"), "Var": ("VAR", "Var"), "var": ("VAR", "Var")}
WORD_TOKENS.update({"Cov": ("COV", "Cov"), "cov": ("COV", "Cov"), "KL": ("KL", "KL")})
for _f, _v in FUNC_WORDS.items():
    WORD_TOKENS[_f] = ("FUNC", _v)

WRAP_ENVS = {"aligned", "align", "align*", "equation", "equation*", "gather", "gather*"}
WRAP_ENVS |= {"split", "alignat", "alignat*", "aligned*", "flalign", "flalign*", "eqnarray"}
WRAP_ENVS |= {"eqnarray*", "multline", "multline*", "displaymath", "math", "gathered"}


SIMPLE_CHARS = {
    "+": ("ADDOP", "+"),
    "-": ("ADDOP", "-"),
    "\u2212": ("ADDOP", "-"),
    "*": ("ASTERISK", "*"),
    "/": ("DIVOP", "/"),
    "=": ("REL", "="),
    ",": ("COMMA", ","),
    ".": ("DOT", "."),
    "'": ("PRIME", "'"),
    "\u2032": ("PRIME", "'"),
    "|": ("BAR", "|"),
    "^": ("CARET", "^"),
    "_": ("UNDERSCORE", "_"),
    "(": ("OPEN", "("),
    ")": ("CLOSE", "("),
    "[": ("OPEN", "["),
    "]": ("CLOSE", "["),
    "{": ("LBRACE", "{"),
    "}": ("RBRACE", "{"),
    "\u00b7": ("CDOT", "\\cdot"),
    "\u22c5": ("CDOT", "\\cdot"),
    "\u00d7": ("MULOP", "\\times"),
    "\u2211": ("BIGOP", "sum"),
    "\u220f": ("BIGOP", "prod"),
    "\u222b": ("INT", "int"),
    "\u2207": ("NABLA", "nabla"),
    "\u2202": ("PARTIAL", "partial"),
}
for _c, _r in relations.UNICODE_CONNECTIVES.items():
    SIMPLE_CHARS[_c] = ("CONN", _r)
for _c, _r in relations.UNICODE.items():
    if _r is not None:  # `≠` is not a relation a chain can use: an unexpected character
        SIMPLE_CHARS[_c] = ("REL", _r)


# commands that are not LaTeX but a learner's preamble macro or a misspelt function
MACRO_HINTS = {"E": "\\mathbb{E}", "Var": "\\mathrm{Var}", "Cov": "\\mathrm{Cov}"}
MACRO_HINTS.update(KL="\\mathrm{KL}", abs="|x|", argmax="\\operatorname*{arg\\,max}")


DELIMS = {
    "(": ("(", "open"),
    ")": ("(", "close"),
    "[": ("[", "open"),
    "]": ("[", "close"),
    "\\{": ("\\{", "open"),
    "\\}": ("\\{", "close"),
    "\\lbrace": ("\\{", "open"),
    "\\rbrace": ("\\{", "close"),
    "\\lbrack": ("[", "open"),
    "\\rbrack": ("[", "close"),
    "\\langle": ("langle", "open"),
    "\\rangle": ("langle", "close"),
    "<": ("langle", "open"),
    ">": ("langle", "close"),
    "\\lvert": ("|", "open"),
    "\\rvert": ("|", "close"),
    "|": ("|", "bar"),
    "\\vert": ("|", "bar"),
    "\\|": ("||", "norm"),
    "\\Vert": ("||", "norm"),
    "\\lVert": ("||", "norm"),
    "\\rVert": ("||", "norm"),
    "\\mid": ("|", "given"),
    ".": (".", "none"),
}


BLACKBOARD = {"E": ("EXPECT", "E"), "V": ("VAR", "Var"), "KL": ("KL", "KL")}
BLACKBOARD_REFUSED = {
    "P": "`{w}` (the probability of an event) is not read: write the density or mass "
    "function, e.g. `p(x)`",
    "I": "`{w}` (an indicator, or mutual information) is not read yet",
    "H": "`{w}` (entropy) is not read: write it as an expectation, "
    "e.g. `-\\mathbb{{E}}_{{p}}[\\log p(x)]`",
}
for _c in "RNZQC":
    BLACKBOARD_REFUSED[_c] = "`{w}` is a set of numbers: sets are not read in a formula"
