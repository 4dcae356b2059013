"""Autograding compares a locked cell with what students received, not with the instructor's
version: a pristine submission raises no tampering alarm, an edited locked cell still does.

Configured in `nbgrader_config.py` as `Autograde.sanitize_preprocessors` (in place of
stock `OverwriteCells`).  Its own module: importing nbgrader's preprocessors costs about a
second, which the commands that never autograde need not pay.
"""

from __future__ import annotations

from nbgrader.preprocessors import OverwriteCells


class CompareWithRelease(OverwriteCells):
    """nbgrader's `OverwriteCells`, comparing a locked cell with what students received.

    `nbgrader generate_assignment` saves each locked cell's source and checksum to the
    gradebook *before* it clears the hidden tests (it must: autograding restores them from
    there), while the released cell's checksum is computed *after*.  Stock `OverwriteCells`
    compares the submitted cell with the gradebook's checksum, so every pristine
    submission of a cell with hidden tests is reported as edited ("Attribute 'checksum'
    for cell elbo_test has changed!", jupyter/nbgrader#1961) and the source is restored by
    that very path.  Here a locked cell whose source is exactly the released one (the
    gradebook's source with the hidden tests cleared, by the configured `ClearHiddenTests`)
    gets the instructor's source back first, silently; any other locked cell goes through
    the stock check, which warns and restores it."""

    def preprocess_cell(self, cell, resources, cell_index):
        from nbgrader import utils
        from nbgrader.api import MissingEntry

        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source_cell = self.gradebook.find_source_cell(
                    grade_id, self.notebook_id, self.assignment_id
                )
            except MissingEntry:
                source_cell = None
            if (
                source_cell is not None
                and source_cell.locked
                and cell.cell_type == source_cell.cell_type
                and utils.is_locked(cell)
                and cell.source == released_source(source_cell.source, self)
            ):
                cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)


def released_source(source: str, parent=None) -> str:
    """What `nbgrader generate_assignment` leaves of a locked cell's `source`: the hidden
    test regions cleared with the configured delimiters."""
    from nbformat.v4 import new_code_cell
    from nbgrader.preprocessors import ClearHiddenTests

    cell = new_code_cell(source)
    ClearHiddenTests(parent=parent, enforce_metadata=False)._remove_hidden_test_region(cell)
    return cell.source
