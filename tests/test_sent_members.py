"""loads_keeping_members: json.loads, and the text of each member of a top-level object as sent
(an update's blocks are stored and answered verbatim, CONTRACT §2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voke_esm.http import loads_keeping_members

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
           | st.text(max_size=8))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)
SPACING = st.sampled_from([{}, {"separators": (",", ":")}, {"indent": 2},
                           {"separators": (" , ", " :  ")}])


def parsed_or_error(raw: bytes, parse) -> object:
    try:
        return parse(raw)
    except ValueError as error:
        return type(error)


@settings(max_examples=300, deadline=None)
@given(members=st.lists(st.tuples(st.text(max_size=6), VALUES), max_size=5), spacing=SPACING,
       ensure_ascii=st.booleans())
def test_an_object_reads_as_json_loads_reads_it_and_each_member_as_written(members, spacing,
                                                                          ensure_ascii):
    parts = [f"{json.dumps(name)}: {json.dumps(value, ensure_ascii=ensure_ascii, **spacing)}"
             for name, value in members]  # names may repeat: the last one counts
    raw = (" {" + " ,\n".join(parts) + "} ").encode()
    value, texts = loads_keeping_members(raw)
    assert value == json.loads(raw)
    if raw.isascii():
        assert set(texts) == set(value)
        assert {name: json.loads(text) for name, text in texts.items()} == value
        last = {name: json.dumps(member, **spacing) for name, member in members}
        assert texts == last
    else:  # another encoding's bytes: parsed by json.loads alone
        assert texts == {}


@settings(max_examples=300, deadline=None)
@given(value=st.dictionaries(st.text(max_size=4), VALUES, max_size=3),
       position=st.integers(0, 10**6), change=st.sampled_from(["drop", "}", "]", ",", ":",
                                                               '"', "x", "\x00", "é", " "]))
def test_damaged_text_fails_or_reads_exactly_as_json_loads_reads_it(value, position, change):
    text = json.dumps(value)
    position %= len(text) + 1
    raw = (text[:position] + ("" if change == "drop" else change)
           + text[position + (change == "drop"):]).encode()
    assert parsed_or_error(raw, lambda r: loads_keeping_members(r)[0]) == parsed_or_error(
        raw, json.loads)


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"12", b"null", b"\xef\xbb\xbf{}",
                                 '{"a": "\u00e9"}'.encode("utf-16")])
def test_anything_but_an_ascii_object_is_json_loads_alone(raw):
    assert loads_keeping_members(raw) == (json.loads(raw), {})
