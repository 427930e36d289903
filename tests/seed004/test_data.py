"""The transcription of seed 004 is whole: six axes, 56 items, every axis taken up once in the next steps."""

from __future__ import annotations

from pathlib import Path

from tests.seed004 import data

SEED = Path("/work/shared/seeds/004_a8ec7df4dc650ed2.txt")


def test_six_axes_and_fifty_six_items():
    assert len(data.AXES) == 6
    assert len(data.ITEMS) == 56
    assert [(len(axis.acquis), len(axis.enjeux)) for axis in data.AXES] == [(6, 4), (4, 5), (3, 4), (7, 5), (5, 6), (3, 4)]
    assert len({item.title for item in data.ITEMS}) == 55  # « La Chaire ESS » is an acquis of two axes, as in the seed
    assert max(len(item.title) for item in data.ITEMS) == 167 and all(len(axis.title) <= 140 for axis in data.AXES)


def test_titles_are_plain_text_of_the_seed_lines():
    for item in data.ITEMS:
        assert "*" not in item.title and item.title == item.title.strip()
    if SEED.exists():  # the seed's own words, line by line
        lines = {line.strip().removeprefix("- ").strip() for line in SEED.read_text(encoding="utf-8").splitlines()}
        assert [item.seed for item in data.ITEMS if item.seed not in lines] == []


def test_calendar_and_next_steps():
    assert [step.when for step in data.CALENDAR] == [
        "10 décembre 2014", "26 et 30 Janvier 2015", "11 février", "Mars/avril", "Fin avril", "Juin", "Septembre", "Octobre",
    ]
    assert [step.date is None for step in data.CALENDAR] == [False, False, False, True, True, True, True, True]
    assert sorted(axis for _lines, axes in data.NEXT_GROUPS for axis in axes) == list(range(6))
    assert data.NEXT_STEPS.count("\n1. ") == 1 and "\n4. Sensibiliser / Former" in data.NEXT_STEPS
