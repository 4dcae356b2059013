"""nbgrader configuration: the stock commands (`nbgrader generate_assignment`, `autograde`,
`generate_feedback`, `export`, the formgrader) work from the repository root.

The course directory is generated: `autograder course` copies each `notebooks/<x>.ipynb`
to `course/source/<x>/<x>.ipynb` (one assignment per derivation).
"""

from pathlib import Path

from autograder.course.mathjax import template_paths

# Classes are named by their import path, not imported: the formgrader shows this
# configuration as JSON (FormgradeExtension.debug), and a class object would not serialise
# ("Formgrader config is not serializable" in the lab's log).
NB = "nbgrader.preprocessors."
AG = "autograder.course."

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "ml-derivations"
# absolute (nbgrader warns about a relative root): the course/ beside this file
c.CourseDirectory.root = str(Path(__file__).resolve().parent / "course")
c.CourseDirectory.source_directory = "source"

# The exchange (`release_assignment`, `fetch_assignment`, `submit`, `collect`) lives in the
# course, so the whole cycle works on one machine without /usr/local/share/nbgrader
# (`autograder course` creates it).  On a JupyterHub, point both at a volume every user
# mounts (book/instructor.md).
c.Exchange.root = str(Path(__file__).resolve().parent / "course" / "exchange")
c.Exchange.cache = str(Path(__file__).resolve().parent / "course" / "exchange-cache")

# Students receive no worked solutions: drop them before anything is saved or checksummed.
c.GenerateAssignment.preprocessors = [
    NB + "IncludeHeaderFooter",
    NB + "InstantiateTests",
    AG + "tools.RemoveTaggedCells",
    NB + "LockCells",
    NB + "ClearSolutions",
    NB + "ClearOutput",
    NB + "CheckCellMetadata",
    NB + "ComputeChecksums",
    NB + "SaveCells",
    NB + "ClearHiddenTests",
    NB + "ClearMarkScheme",
    NB + "ComputeChecksums",
    NB + "CheckCellMetadata",
]
c.ClearSolutions.code_stub = {"python": "% YOUR DERIVATION HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A locked cell is compared with the version students received, not the instructor's (whose
# hidden tests the release does not have): no "checksum has changed" alarm for a pristine
# submission, the stock warning and restore for an edited one.
c.Autograde.sanitize_preprocessors = [
    NB + "ClearOutput",
    NB + "DeduplicateIds",
    NB + "OverwriteKernelspec",
    AG + "overwrite.CompareWithRelease",
    NB + "CheckCellMetadata",
]

# Feedback goes back to students: never with the hidden tests' source (stock nbgrader
# renders the autograded notebook, in which the hidden tests were restored), nor the model
# answers the formgrader shows to graders; an answer no grader has scored yet says
# "awaiting grading", not "Score: 0" (templates/autograder_feedback.html.j2).
c.GenerateFeedback.preprocessors = [
    AG + "model_answers.RemoveGraderOnlyCells",
    NB + "GetGrades",
    AG + "feedback.AwaitingGrading",
    AG + "tools.ClearHiddenTestErrors",
    NB + "ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.ClearHiddenTests.enforce_metadata = False

# Feedback and the formgrader typeset math offline: nbgrader's templates ask a CDN for
# MathJax; ours (first) replace that macro with the MathJax the website uses, inlined.
c.HTMLExporter.template_paths = template_paths()
c.HTMLExporter.filters = {"local_mathjax": "autograder.course.mathjax.local_mathjax"}

# `nbgrader export`: only the assignments someone handed in (or named with --assignment);
# a student who did not hand one in has the status "not submitted" (a `status` column).
c.ExportApp.plugin_class = AG + "export.AssignedCsvExport"

# Every notebook runs in well under a minute; a stuck kernel must not stall grading.
c.ExecutePreprocessor.timeout = 180
c.Execute.timeout = 180
