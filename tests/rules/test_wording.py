"""Counts in words: singular for one, plural otherwise, and "the only" where one is all."""

from __future__ import annotations

import pytest

from ehcp_rules import counted, part_of, some_of


@pytest.mark.parametrize(
    ("number", "noun", "plural", "words"),
    [
        (0, "action", None, "0 actions"),
        (1, "action", None, "1 action"),
        (2, "action", None, "2 actions"),
        (1, "criterion", "criteria", "1 criterion"),
        (3, "criterion", "criteria", "3 criteria"),
        (1, "more service", None, "1 more service"),
    ],
)
def test_a_count_agrees_with_its_number(
    number: int, noun: str, plural: str | None, words: str
) -> None:
    assert counted(number, noun, plural) == words


@pytest.mark.parametrize(
    ("part", "whole", "words"),
    [
        (1, 1, "the only rating is"),  # not "1 of 1 ratings are"
        (1, 3, "1 of 3 ratings is"),  # the verb agrees with the part
        (2, 3, "2 of 3 ratings are"),
        (12, 23, "12 of 23 ratings are"),
    ],
)
def test_part_of_a_whole_as_a_subject(part: int, whole: int, words: str) -> None:
    assert part_of(part, whole, "rating") == words


@pytest.mark.parametrize(
    ("part", "whole", "words"),
    [
        (1, 1, "the one action"),  # not "1 of 1 actions"
        (3, 3, "all 3 actions"),
        (1, 2, "1 of 2 actions"),
        (2, 6, "2 of 6 actions"),
    ],
)
def test_some_of_a_whole_as_an_object(part: int, whole: int, words: str) -> None:
    assert some_of(part, whole, "action") == words
