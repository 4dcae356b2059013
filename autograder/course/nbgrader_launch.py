"""`python -m autograder.course.nbgrader_launch <nbgrader args>`: the stock nbgrader command line,
started faster.

Importing nbgrader imports jsonschema, which imports the optional `rfc3987_syntax` plug-in
if it is installed (Jupyter's packages install it); that plug-in builds a parser at import
time, about 2 s of every nbgrader start.  nbgrader never validates IRIs, so the plug-in is
blocked here (jsonschema then simply skips that format).  Class grading starts one nbgrader
per submission, so this halves its overhead.

A new gradebook asks for its schema version (`nbgrader.api.get_alembic_version`) by running
the `alembic heads` command, another interpreter importing alembic: about 3 s of every
nbgrader run that creates a gradebook (each scratch course a workspace releases in, each
new course).  Here the same head is read from the same migration scripts
(`nbgrader.dbutil.ALEMBIC_DIR`) in this process, with alembic's own reader; the gradebook
written is the same.  Everything else is nbgrader's own `main`.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # import -> ImportError -> format skipped

import nbgrader.api  # noqa: E402
from nbgrader.apps.nbgraderapp import main  # noqa: E402

_ask_alembic = nbgrader.api.get_alembic_version


def schema_version() -> str:
    """The head of nbgrader's migration scripts, what `alembic heads` prints first (that
    command itself if the scripts cannot be read here)."""
    try:
        from alembic.script import ScriptDirectory
        from nbgrader.dbutil import ALEMBIC_DIR

        return ScriptDirectory(ALEMBIC_DIR).get_current_head()
    except Exception:  # noqa: BLE001 - nbgrader's own way, as without this launcher
        return _ask_alembic()


nbgrader.api.get_alembic_version = schema_version

if __name__ == "__main__":
    sys.exit(main())
