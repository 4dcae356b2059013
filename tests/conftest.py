"""Suite-wide settings: the checker runs in strict mode, so an internal error anywhere in a
test (or in a kernel or process a test starts) is raised instead of becoming a message."""

import os

os.environ["AUTOGRADER_STRICT"] = "1"
