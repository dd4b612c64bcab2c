"""Keeping children's data out: NHS numbers, names as case references, oversized comments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcp_rules import (
    PrivacyError,
    check_case_reference,
    clean_comment,
    contains_nhs_number,
    is_valid_nhs_number,
)


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9999999999"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number: str) -> None:
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "123456789", "1234567890", "94347659190"])
def test_other_digit_strings_do_not(number: str) -> None:
    assert not is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "text",
    ["NHS 943 476 5919 seen", "ref:9434765919.", "943-476-5919", "(4010232137)"],
)
def test_an_nhs_number_in_text_is_found_spaced_or_not(text: str) -> None:
    assert contains_nhs_number(text)


@pytest.mark.parametrize(
    "text", ["Audit of 120 requests in 2026", "Phone 01632 960 123", "94347659190 is 11 digits"]
)
def test_other_numbers_in_text_are_not_mistaken_for_one(text: str) -> None:
    assert not contains_nhs_number(text)


def test_a_comment_is_trimmed_and_stripped_of_control_characters() -> None:
    assert (
        clean_comment("  Policy\x00 agreed\u200b\nin May\x1b[31m  ") == "Policy agreed\nin May[31m"
    )


def test_markup_in_a_comment_is_kept_as_text() -> None:
    assert clean_comment("<b>bold</b> **not**") == "<b>bold</b> **not**"


def test_a_comment_of_2000_characters_is_accepted_and_2001_refused() -> None:
    assert len(clean_comment("a" * 2000)) == 2000
    with pytest.raises(PrivacyError, match="2,001 characters long; the limit is 2,000"):
        clean_comment("a" * 2001)


@pytest.mark.parametrize("reference", ["LA-2026-0142", "EHC/2026/77", "A1", "cheshire_east.114"])
def test_case_references_are_codes(reference: str) -> None:
    assert check_case_reference(f" {reference} ") == reference


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("John Smith", "never a child's name"),
        ("Smith", "at least one digit"),
        ("943 476 5919", "NHS number"),
        ("", "needed"),
        ("A" * 41 + "1", "letters, digits"),
    ],
)
def test_names_and_nhs_numbers_are_refused_as_case_references(reference: str, message: str) -> None:
    with pytest.raises(PrivacyError, match=message):
        check_case_reference(reference)


@given(st.text(max_size=300))
def test_clean_comment_either_refuses_or_returns_text_without_control_characters(text: str) -> None:
    try:
        cleaned = clean_comment(text)
    except PrivacyError:
        return
    assert all(ch in "\n\t" or ch.isprintable() or ch.isspace() for ch in cleaned)
    assert not contains_nhs_number(cleaned)
