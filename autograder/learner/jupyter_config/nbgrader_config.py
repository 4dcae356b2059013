"""nbgrader settings for the JupyterLab that `autograder study` starts (on JUPYTER_CONFIG_PATH).

Validate checks every code cell, not only the graded test cells: a derivation whose answer
cell still holds the placeholder raises `NotAttempted` there, and is listed with the
unanswered follow-ups (the graded test cell of a released notebook has no test left in it
to fail).
"""

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.Validator.validate_all = True
