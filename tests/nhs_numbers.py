"""Hypothesis strategies for NHS numbers as people write them, and in disguise: shared by the
privacy tests of every path (the rules, the importer, the storage repositories)."""

from __future__ import annotations

from hypothesis import strategies as st

from ehcp_rules.privacy import normalise_text

# Between two digits: nothing, or up to five of these (as typed or pasted, before NFKC):
# spaces of every kind and line breaks, dashes of every kind and the minus sign, dots, slashes,
# commas, underscores, and characters that are invisible (zero-width space, soft hyphen).
SEPARATORS = (
    " \u00a0\u2007\u2009\u202f\u3000\t\n"
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
    ".\uff0e\u00b7\u2027,\uff0c"
    "/\uff0f\\\u2044\u2215"
    "_\uff3f\ufe4d"
    "\u200b\u00ad\u2060"
)
# Each digit as ASCII, full-width, mathematical double-struck (NFKC makes these ASCII),
# Arabic-Indic or Devanagari (decimal digits in their own right).
_DIGIT_FORMS = (0x30, 0xFF10, 0x1D7D8, 0x660, 0x966)
_TOKENS = ("NHS", "NHS no", "LA-", "ref", "x", "Ref:", "#", "(", ")", "7", "12", "2026-")


def check_digit(first_nine: str) -> int | None:
    """The NHS number check digit for nine digits (``None`` when it would be 10: never issued)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


def _with_check(nine: str) -> str | None:
    check = check_digit(nine)
    return None if check is None else nine + str(check)


nhs_numbers = (
    st.from_regex(r"[0-9]{9}", fullmatch=True)
    .map(_with_check)
    .filter(lambda n: n is not None)
    .map(str)
)
"""Ten-digit strings that pass the modulus 11 check: valid NHS numbers."""


_VISIBLE = "".join(ch for ch in SEPARATORS if ch not in "\u200b\u00ad\u2060")


_GAPS = {"3-3-4": (3, 6), "thousands": (1, 4, 7)}


@st.composite
def written_nhs_numbers(draw: st.DrawFn) -> str:
    """A valid NHS number, each digit in any of its forms, written as people write one: 3-3-4
    with up to five separators of any kind in each gap, or none (943 476 5919, 943.476.5919,
    9434765919), one digit at a time (9 4 3 4 7 6 5 9 1 9), or as a spreadsheet shows it with
    thousands separators (9,434,765,919)."""
    number = draw(nhs_numbers)
    style = draw(st.sampled_from(["3-3-4", "thousands", "one at a time"]))
    out = []
    for position, digit in enumerate(number):
        if style == "one at a time" and position:
            out.append(draw(st.text(alphabet=_VISIBLE, min_size=1, max_size=1)))
            out.append(draw(st.text(alphabet=SEPARATORS, max_size=2)))
        elif position in _GAPS.get(style, ()):
            gap = st.text(alphabet=SEPARATORS, max_size=5)
            if style == "thousands":  # every gap shows, or the groups run together
                gap = st.text(alphabet=_VISIBLE, min_size=1, max_size=1)
            out.append(draw(gap))
        out.append(chr(draw(st.sampled_from(_DIGIT_FORMS)) + int(digit)))
    return "".join(out)


surroundings = st.one_of(
    st.just(""),
    st.sampled_from(_TOKENS),
    st.text(max_size=12),
    st.from_regex(r"[A-Za-z0-9]{1,6}", fullmatch=True),
)
"""What may stand either side of it: nothing, letters, other digits, any text at all."""


@st.composite
def texts_with_nhs_numbers(draw: st.DrawFn) -> str:
    """Text holding a valid NHS number: written any way, embedded in anything. Digits just
    before or after it are kept apart by a space: run into it, they make another number
    (``94347659190``: not one, ehcp_rules.privacy says why)."""
    before, after = draw(surroundings), draw(surroundings)
    if normalise_text(before)[-1:].isdecimal():
        before += " "
    if normalise_text(after)[:1].isdecimal():
        after = " " + after
    return before + draw(written_nhs_numbers()) + after


ordinary_texts = st.sampled_from(
    (
        "Policy agreed at the SEND board in May; audit of 120 requests in 2026.",
        "SPOC: Jane Smith, Children's SLT (Trust A), ext. 4412",
        "Ten of 14 returned within 6 weeks (71%); 2 exceptions, reg 8(2)(c).",
        "Reviewed 02/11/2026 and 2026-12-01. Next audit Q1 2027.",
        "Training for 35 staff on 3 March; 4 sessions of 1.5 hours each.",
        "Named lead: Dr A. Patel — paediatrics/neurodisability workstream",
    )
)
"""Ordinary service text: dates, counts, short codes, a name — and no NHS number."""

case_references = st.from_regex(r"(LA|EHC|EHCP|CE)[-/](20[0-9]{2}[-/])?[0-9]{1,5}", fullmatch=True)
"""Case references as local authorities write them (never ten digits or more)."""
