"""Keeping children's data out: NHS numbers, names in place of case references, long comments.

Children's health data is special-category data (UK GDPR art. 9): the assistant keeps case
references, never names or NHS numbers (DESIGN.md §4).
"""

from __future__ import annotations

import re
import unicodedata

from ehcp_rules.errors import RulesError

MAX_COMMENT_LENGTH = 2000
MAX_CASE_REFERENCE_LENGTH = 40

_TEN_DIGITS = re.compile(r"(?<!\d)(\d(?:[ -]?\d){9})(?!\d)")
_CASE_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$")


class PrivacyError(RulesError):
    """Text that would put personal data where it must not go; the message says why."""


def is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits pass the NHS number modulus 11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def contains_nhs_number(text: str) -> bool:
    """True when ``text`` holds ten digits (spaced, hyphenated or not) that form an NHS number."""
    for match in _TEN_DIGITS.finditer(text):
        if is_valid_nhs_number(re.sub(r"[ -]", "", match.group(1))):
            return True
    return False


def clean_comment(text: str) -> str:
    """A comment made safe to keep: control characters removed, Unicode normalised, trimmed.

    Raises :class:`PrivacyError` when it is too long or contains an NHS number.
    """
    cleaned = "".join(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    ).strip()
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise PrivacyError(
            f"The comment is {len(cleaned):,} characters long; the limit is "
            f"{MAX_COMMENT_LENGTH:,}. Please shorten it or point to where the evidence is kept."
        )
    if contains_nhs_number(cleaned):
        raise PrivacyError(
            "The comment seems to contain an NHS number. Comments are about the service, not "
            "a child: please remove it."
        )
    return cleaned


def check_case_reference(text: str) -> str:
    """A case reference, trimmed; :class:`PrivacyError` when it looks like a name or NHS number."""
    reference = text.strip()
    if not reference:
        raise PrivacyError("A case reference is needed.")
    if is_valid_nhs_number(re.sub(r"[ -]", "", reference)):
        raise PrivacyError(
            "That looks like an NHS number. Use the local authority's case reference instead."
        )
    if (
        len(reference) > MAX_CASE_REFERENCE_LENGTH
        or not _CASE_REFERENCE.match(reference)
        or not any(ch.isdigit() for ch in reference)
    ):
        raise PrivacyError(
            "A case reference is a code such as LA-2026-0142: letters, digits and - / _ . only, "
            "with at least one digit and no spaces — never a child's name."
        )
    return reference
