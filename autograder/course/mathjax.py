"""MathJax for the feedback HTML and the formgrader, from the package the website uses.

nbgrader's `feedback` and `formgrade` templates call nbconvert's `mathjax()` macro with its
default, a CDN URL for MathJax 2.7.7: offline, every derivation in feedback and in the
formgrader shows raw TeX.  `nbgrader_config.py` sets `HTMLExporter.template_paths` to
`template_paths()`: `templates/` first, where `mathjax.html.j2` replaces that macro, then
nbgrader's and nbconvert's own folders; and registers `local_mathjax` (below) as a filter.
The formgrader overrides `template_name` and `extra_template_basedirs` with its own
values whatever the configuration says, so the paths are set in full, and
`templates/index.html.j2` sends each page to nbgrader's template for it.

The website serves MathJax 3 from `sphinx-mathjax-offline` (a pinned dependency); feedback
is a file that travels (`nbgrader release_feedback`, a download, an e-mail), so it carries
MathJax inside it: the SVG build with every TeX extension, which needs no font files and
no further request.  That costs about 2.3 MB per feedback file.
"""

from __future__ import annotations

import functools
from importlib.util import find_spec
from pathlib import Path

from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
COMPONENT = "tex-svg-full.js"


def mathjax_folder() -> Path:
    """The MathJax 3 distribution of the installed `sphinx-mathjax-offline`."""
    spec = find_spec("sphinx-mathjax-offline")  # the package's import name has dashes
    if spec is None or spec.origin is None:
        raise RuntimeError("sphinx-mathjax-offline is not installed (pyproject.toml pins it)")
    return Path(spec.origin).parent / "static" / "mathjax"


@functools.cache
def _script() -> str:
    source = (mathjax_folder() / COMPONENT).read_text(encoding="utf-8")
    return source.replace("</script", "<\\/script")  # cannot end the <script> element early


def local_mathjax(_ignored=None) -> Markup:
    """The MathJax component itself, for a `<script>` element (a template filter)."""
    return Markup(_script())


def nbgrader_templates() -> Path:
    """nbgrader's own template folder (feedback, formgrade)."""
    import nbgrader

    return Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"


def template_paths() -> list[str]:
    """Where nbconvert looks for templates when rendering feedback or a formgrader page:
    ours, nbgrader's (and its formgrade macros, and the bootstrap CSS feedback inlines),
    then nbconvert's classic and base templates in every Jupyter data folder."""
    from nbconvert.exporters import HTMLExporter

    nbgrader = nbgrader_templates()
    paths = [TEMPLATES, nbgrader, nbgrader / "formgrade"]
    roots = [Path(r) for r in HTMLExporter().get_prefix_root_dirs()]
    for name in ("classic", "base"):
        paths += [r / "nbconvert" / "templates" / name for r in roots]
    for root in roots:
        paths += [root, root / "nbconvert" / "templates"]
        paths.append(root / "nbconvert" / "templates" / "compatibility")
    css = nbgrader.parent / "static" / "node_modules" / "bootstrap" / "dist" / "css"
    paths.append(css)
    return [str(p) for p in paths if p.is_dir()]
