"""Keeping children's data out: one privacy screen for every piece of free text.

Children's health data is special-category data (UK GDPR art. 9): the assistant keeps case
references, never names or NHS numbers (DESIGN.md §4), and every free-text field on every path
passes :func:`screen_text` (DESIGN.md, "Rules of the house": one privacy screen).

How an NHS number is found (:func:`contains_nhs_number`):

- the text is first normalised as it is kept (NFKC, Unicode Standard Annex #15, so full-width
  digits and odd spaces count as their plain forms; control and format characters such as
  zero-width spaces are removed);
- digits joined by separators — any space or line break, any dash, dots, commas, slashes,
  underscores; up to :data:`MAX_SEPARATOR_RUN` of them between two digits — form one run of
  digits, whatever
  letters stand either side (``NHS9434765919``, ``LA-9434765919``, ``ref943 476 5919x``);
- a run splits into groups of digits at its separators, and an NHS number is ten digits, passing
  the modulus 11 check, written as the NHS writes it — 3, 3 and 4 (``943 476 5919``), with either
  gap closed or both (``943 4765919``, ``943476 5919``, ``9434765919``) — or one digit at a time
  (``9 4 3 4 7 6 5 9 1 9``), or as a spreadsheet shows a number with thousands separators
  (``9,434,765,919``). Other groups in the same run never hide it (``LA-2026-943-476-5919``,
  ``tel 0 943 476 5919 2``).

What it does not find, and why: ten digits run into others with no gap (``94347659190``), or
grouped some other way (``94 34 76 59 19``, ``(943) 476 5919``: brackets end a run). Nobody
writes an NHS number so, and reading every ten digits in a row of a longer number as one refused
one UK phone number in six (``01632 960123``) and one case reference in 11 (``EHC/2026/000123``);
grouped as the NHS writes them, ordinary UK phone numbers, dates and times, and case references
are never refused (the README gives the figures). The screen keeps careless text out; it cannot
stop someone set on getting a number past it ("nine four three ..."), which is why it is one of
several measures (SECURITY.md).
"""

from __future__ import annotations

import re
import unicodedata

from ehcp_rules.errors import RulesError

MAX_COMMENT_LENGTH = 2000
"""An answer's comment: its supporting evidence, or where the evidence is kept."""
MAX_CASE_REFERENCE_LENGTH = 40
"""A local authority's case reference: a code, never a name."""
MAX_OWNER_LENGTH = 100
"""Who leads an action (a role or a name, as seed 003's plan writes it)."""
MAX_ACTION_LENGTH = 1000
"""What will be done about an answer: seed 003's longest action is under 400 characters, and at
this limit a page of the action plan card still fits Teams' 40 KB message limit."""
MAX_WORKSTREAM_LENGTH = 100
"""The workstream that delivers an action ("Assessment and Planning", seed 003)."""
MAX_DELAY_REASON_LENGTH = 500
"""Why advice will take longer for clinical reasons: a sentence or two."""
MAX_NARRATIVE_LENGTH = 2000
"""Why a reg 8(2) exception applies (seed 000, Q5): as long as a comment."""
MAX_SERVICE_NAME_LENGTH = 100
"""A service's name ("Children's SLT"): it heads cards and names export files."""
MAX_PROVIDER_LENGTH = 200
"""The organisation a service belongs to."""
MAX_DISPLAY_NAME_LENGTH = 200
"""A person's display name, as an admin gives it."""
MAX_SEPARATOR_RUN = 5
"""Separator characters allowed between two digits of one number (`` - `` is three; a careless
``943  -  476`` five)."""
MAX_QUOTED_LENGTH = 40
"""Characters of what someone typed that a reply says back (:func:`quoted`)."""

NHS_NUMBER_LENGTH = 10

# Separators between the digits of one number, as they stand after NFKC: whitespace (``\s``),
# every dash (Unicode's Pd category, checked against the Unicode database in the tests) and the
# minus sign, dots, commas (a spreadsheet's thousands separator), slashes and underscores
# (Unicode's Pc category). Colons, brackets and other punctuation end a run.
DASHES = (
    "-\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a\u2e3b"
    "\u2e40\u2e5d\u301c\u3030\u30a0\U00010ead\u2212"
)
DOTS = ".,\u00b7\u2022\u2027\u2219"
SLASHES = "/\\\u2044\u2215"
UNDERSCORES = "_\u203f\u2040\u2054"
_SEPARATOR = rf"[\s{re.escape(DASHES + DOTS + SLASHES + UNDERSCORES)}]"
_DIGIT_RUN = re.compile(rf"\d(?:{_SEPARATOR}{{0,{MAX_SEPARATOR_RUN}}}\d)*")
_SEPARATORS = re.compile(rf"{_SEPARATOR}+")
_DIGIT = re.compile(r"\d")
_WRITTEN_SHAPES = ((10,), (3, 7), (6, 4), (3, 3, 4), (1,) * 10, (1, 3, 3, 3))
"""How the groups of an NHS number's digits stand: 3-3-4 with either gap closed or both, one
digit at a time, or in thousands (``9,434,765,919``)."""
_CASE_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$")
_ASCII_CONTROLS = {c: None for c in (*range(0x20), 0x7F) if chr(c) not in "\n\t"}


class PrivacyError(RulesError):
    """Text that would put personal data where it must not go; the message says why."""


def is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits pass the NHS number modulus 11 check.

    Source: NHS Data Dictionary, "NHS Number": the tenth digit is a check digit; the first nine
    are weighted 10 down to 2, the check is 11 minus the weighted sum modulo 11 (11 counts as 0,
    and a number whose check would be 10 is never issued).
    """
    if len(digits) != NHS_NUMBER_LENGTH or not digits.isdecimal():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def normalise_text(text: str) -> str:
    """Text as it is kept and screened: NFKC (UAX #15), control and format characters removed
    (line breaks and tabs kept), not trimmed."""
    if text.isascii():  # NFKC leaves ASCII as it is: only its control characters go
        return text.translate(_ASCII_CONTROLS)
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text)
        if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    )


def contains_nhs_number(text: str) -> bool:
    """True when ``text`` holds an NHS number, with any separators or none, alone or inside a
    longer token: ten digits passing the modulus 11 check, grouped 3-3-4 (either gap or both may
    be closed) or one at a time (DESIGN.md §4; the reading of issue 16, in this module's
    docstring)."""
    return _holds_nhs_number(normalise_text(text))


def _holds_nhs_number(normalised: str) -> bool:
    for run in _DIGIT_RUN.findall(normalised):
        groups = _SEPARATORS.split(run)
        for start in range(len(groups)):
            for shape in _WRITTEN_SHAPES:
                end = start + len(shape)
                if tuple(len(g) for g in groups[start:end]) == shape and is_valid_nhs_number(
                    "".join(groups[start:end])
                ):
                    return True
    return False


def screen_text(value: str, *, field: str, max_length: int) -> str:
    """Free text made safe to keep: normalised (:func:`normalise_text`) and trimmed.

    Raises :class:`PrivacyError`, naming ``field`` ("comment", "action owner"), when it is longer
    than ``max_length`` characters or contains an NHS number (DESIGN.md §4).
    """
    return _screened(value, field, max_length, shorten="Please shorten it.")


def clean_comment(text: str) -> str:
    """A comment made safe to keep: :func:`screen_text` with the comment's limit.

    Raises :class:`PrivacyError` when it is too long or contains an NHS number.
    """
    return _screened(
        text,
        "comment",
        MAX_COMMENT_LENGTH,
        shorten="Please shorten it or point to where the evidence is kept.",
    )


def _screened(value: str, field: str, max_length: int, *, shorten: str) -> str:
    cleaned = normalise_text(value).strip()
    if _holds_nhs_number(cleaned):
        raise PrivacyError(
            f"The {field} seems to contain an NHS number (ten digits that pass the NHS number "
            "check). The assistant keeps no child's details: please remove it. If it is some "
            "other number, such as a phone number, write it grouped as usual (0161 496 0123, "
            "01632 960123), not as ten digits together or in groups of 3, 3 and 4."
        )
    if len(cleaned) > max_length:
        raise PrivacyError(
            f"The {field} is {len(cleaned):,} characters long; the limit is {max_length:,}. "
            + shorten
        )
    return cleaned


def quoted(value: object, *, limit: int = MAX_QUOTED_LENGTH) -> str:
    """What someone typed, said back in a reply ("'31/13/2027' is not a date"): on one line, in
    quotes, cut to ``limit`` characters, and never an NHS number — text that holds one is said
    back with its digits masked ('NHS ••• ••• ••••'), since a reply is posted into a chat and
    may be seen in a channel (DESIGN.md §4). Plain text: a message escapes it as markup."""
    text = " ".join(normalise_text(str(value)).split())
    if _holds_nhs_number(text):
        text = _DIGIT.sub("•", text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"'{text}'"


def check_case_reference(text: str) -> str:
    """A case reference, normalised and trimmed; :class:`PrivacyError` when it looks like a
    name, holds an NHS number anywhere in it, or is longer than
    :data:`MAX_CASE_REFERENCE_LENGTH` (DESIGN.md §4: case references, never names or NHS
    numbers)."""
    reference = normalise_text(text).strip()
    if not reference:
        raise PrivacyError("A case reference is needed.")
    if _holds_nhs_number(reference):
        raise PrivacyError(
            "That looks like an NHS number, or holds one. Use the local authority's case "
            "reference instead."
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
