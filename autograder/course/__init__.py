"""The instructor's tools: nbgrader glue, class grading in a sandbox, submissions, the demo
class."""
