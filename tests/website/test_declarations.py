"""The notation page's `% let` table: generated from the kinds' forms, each example declared."""

from __future__ import annotations

import dataclasses
import re

import pytest

from autograder.engine.declare import declare, example_text
from autograder.engine.kinds import REGISTRY
from autograder.engine.kinds.base import LetForm
from autograder.website import declarations
from tests.notebook_support import ROOT

FORMS = [(kind, form) for kind in REGISTRY.values() for form in kind.let]


@pytest.mark.parametrize(
    "kind,form", FORMS, ids=[f"{k.declaration.__name__}: {f.syntax}" for k, f in FORMS]
)
def test_every_example_is_accepted_by_let_as_its_kind(kind, form):
    context = declare(example_text(form)).context
    assert any(isinstance(record, kind.declaration) for record in context), context


def test_a_modifier_example_follows_the_item_it_modifies():
    (form,) = [f for k, f in FORMS if f.syntax == "mean <number>"]
    assert example_text(form) == r"% let k \in \mathbb{R}^d random, mean 0"


def test_the_table_has_one_row_per_form_in_registry_order():
    table = declarations.declaration_table()
    assert table.count("\n* - ") == len(FORMS) + 1  # and the header row
    at = 0
    for kind, form in FORMS:
        row = f"* - {kind.declaration.__name__}\n  - `{form.syntax}`\n  - `{form.example}`"
        at = table.index(row, at)
        this = table[at:].split("\n* - ", 1)[0].removesuffix("\n:::\n").rstrip("\n") + "\n"
        assert this.endswith(f"  - {form.meaning}\n")
        assert (f"after `% let {form.needs}`" in this) == bool(form.needs)


def _with_form(monkeypatch, example: str) -> None:
    kind = next(k for k in REGISTRY.values() if k.declaration.__name__ == "Real")
    form = dataclasses.replace(kind.let[0], example=example)
    monkeypatch.setattr(kind, "let", (form,), raising=False)


@pytest.mark.parametrize(
    "example,words", [(r"a \in (1, 0)", "is refused"), (r"n \in \mathbb{N}", "declares no Real")]
)
def test_an_example_let_does_not_accept_stops_the_build(monkeypatch, example, words):
    _with_form(monkeypatch, example)
    with pytest.raises(declarations.DeclarationDrift, match=words):
        declarations.rows()


def test_the_notation_page_includes_the_table():
    page = (ROOT / "book" / "notation.md").read_text(encoding="utf-8")
    assert "```{include} _generated/declarations_table.md\n```" in page
    assert isinstance(FORMS[0][1], LetForm)


@pytest.mark.parametrize(
    "kind,form", FORMS, ids=[f"{k.declaration.__name__}: {f.syntax}" for k, f in FORMS]
)
def test_every_meaning_is_prose_without_raw_tex(kind, form):
    """The meaning column is printed as text, not math: a TeX command there reaches the
    reader verbatim (`\\hat V` on the notation page): meanings spell symbols in Unicode, or
    quote TeX as code in backticks."""
    prose = re.sub(r"`[^`]*`", "", form.meaning)
    assert not re.search(r"\\[A-Za-z]{2,}|\\[(\[]", prose), form.meaning


def test_every_kind_a_cell_declares_states_its_remaining_defaults():
    table = declarations.defaults_table()
    for kind in REGISTRY.values():
        if kind.let:
            assert kind.defaults is not None, kind.declaration.__name__
            assert f"* - {kind.declaration.__name__}\n" in table
    assert "nothing beyond what is written" in table  # a kind that assumes nothing says so


def test_a_kind_that_states_no_defaults_stops_the_build(monkeypatch):
    kind = next(k for k in REGISTRY.values() if k.declaration.__name__ == "Real")
    monkeypatch.setattr(kind, "defaults", None, raising=False)
    with pytest.raises(declarations.DeclarationDrift, match="does not state"):
        declarations.defaults_table()


def test_the_notation_page_includes_the_defaults():
    page = (ROOT / "book" / "notation.md").read_text(encoding="utf-8")
    assert "```{include} _generated/defaults_table.md\n```" in page
