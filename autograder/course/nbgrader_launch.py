"""`python -m autograder.course.nbgrader_launch <nbgrader args>`: the stock nbgrader command line,
started faster.

Importing nbgrader imports jsonschema, which imports the optional `rfc3987_syntax` plug-in
if it is installed (Jupyter's packages install it); that plug-in builds a parser at import
time, about 2 s of every nbgrader start.  nbgrader never validates IRIs, so the plug-in is
blocked here (jsonschema then simply skips that format).  Class grading starts one nbgrader
per submission, so this halves its overhead.  Everything else is nbgrader's own `main`.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # import -> ImportError -> format skipped

from nbgrader.apps.nbgraderapp import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
