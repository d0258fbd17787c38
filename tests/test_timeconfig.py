"""The one time-config validator (CONTRACT.md §2 block rules), every rule and its boundaries."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voke_esm import timeconfig
from voke_esm.timeconfig import MAX_BLOCKS, default_time_configs, validate_time_configs

GOOD = {"from": "00:00", "to": "23:59", "pBatMax": 50, "pBatMin": -50, "socMax": 90,
        "socMin": 20}


def block(**changes) -> dict:
    """GOOD with some fields replaced; a value of ... removes the field."""
    result = {**GOOD, **changes}
    return {key: value for key, value in result.items() if value is not ...}


def details(blocks) -> list[str]:
    return [problem.detail() for problem in validate_time_configs(blocks)]


def window(start: str, end: str) -> dict:
    return block(**{"from": start, "to": end})


def test_the_product_page_example_and_the_default_are_valid():
    assert details([GOOD]) == []
    assert details(default_time_configs()) == []
    assert default_time_configs() == [GOOD]


# -- from / to: strict HH:MM, 00:00-23:59 -------------------------------------------------------

@pytest.mark.parametrize("value", ["00:00", "09:05", "19:59", "23:58"])
def test_from_accepts_strict_hhmm(value):
    assert details([window(value, "23:59")]) == []


@pytest.mark.parametrize("value", ["00:01", "10:00", "20:00", "23:59"])
def test_to_accepts_strict_hhmm(value):
    assert details([window("00:00", value)]) == []


@pytest.mark.parametrize("value", [
    "7:00", "07:0", "24:00", "23:60", "00:00:00", "0700", "07.00", " 07:00", "07:00 ", "07:00\n",
    "", "ab:cd", "٠٧:٠٠", "0٧:00", "12:٣٤", "00:0٧", "+7:00", "-1:00", "07:-1",
    7, 7.0, None, True, ["07:00"], {"h": 7},
], ids=repr)
@pytest.mark.parametrize("field", ["from", "to"])
def test_times_must_be_strict_hhmm(field, value):
    assert details([block(**{field: value})]) == [
        f"timeConfigs[0].{field}: must be a time HH:MM from 00:00 to 23:59"]


@pytest.mark.parametrize("start, end", [("10:00", "10:00"), ("10:01", "10:00"),
                                        ("23:59", "00:00"), ("00:00", "00:00")])
def test_from_must_be_before_to(start, end):
    assert details([window(start, end)]) == ["timeConfigs[0].to: must be after from"]


def test_one_minute_block_is_valid():
    assert details([window("10:00", "10:01")]) == []


# -- several blocks: touching, gaps, overlaps --------------------------------------------------

@pytest.mark.parametrize("blocks", [
    [window("00:00", "07:00"), window("07:00", "23:59")],           # touching, product page
    [window("07:00", "23:59"), window("00:00", "07:00")],           # any order on input
    [window("00:00", "06:00"), window("06:00", "12:00"), window("12:00", "23:59")],
    [window("01:00", "02:00"), window("05:00", "06:00")],           # gaps allowed
    [window("10:00", "11:00"), window("00:00", "01:00"), window("20:00", "21:00")],
], ids=["touching", "unordered", "three-touching", "gap", "unordered-gaps"])
def test_touching_and_gaps_are_allowed(blocks):
    assert details(blocks) == []


@pytest.mark.parametrize("blocks, expected", [
    ([window("00:00", "08:00"), window("07:59", "12:00")],
     ["timeConfigs[1].from: overlaps timeConfigs[0] (00:00-08:00)"]),
    ([window("07:59", "12:00"), window("00:00", "08:00")],
     ["timeConfigs[0].from: overlaps timeConfigs[1] (00:00-08:00)"]),
    ([window("10:00", "12:00"), window("10:00", "12:00")],
     ["timeConfigs[1].from: overlaps timeConfigs[0] (10:00-12:00)"]),
    ([window("10:00", "12:00"), window("10:00", "11:00")],
     ["timeConfigs[0].from: overlaps timeConfigs[1] (10:00-11:00)"]),
], ids=["one-minute", "one-minute-unordered", "identical", "same-start"])
def test_overlaps_are_refused(blocks, expected):
    assert details(blocks) == expected


def test_a_long_block_containing_two_small_ones_reports_both():
    blocks = [window("00:00", "23:59"), window("02:00", "03:00"), window("05:00", "06:00")]
    assert details(blocks) == [
        "timeConfigs[1].from: overlaps timeConfigs[0] (00:00-23:59)",
        "timeConfigs[2].from: overlaps timeConfigs[0] (00:00-23:59)",
    ]


def test_a_block_inside_another_after_a_touching_one_is_found():
    # [00-06] touches [06-20]; [07-08] lies inside [06-20], not next to it in the input.
    blocks = [window("07:00", "08:00"), window("00:00", "06:00"), window("06:00", "20:00")]
    assert details(blocks) == ["timeConfigs[0].from: overlaps timeConfigs[2] (06:00-20:00)"]


# -- how many blocks ---------------------------------------------------------------------------

def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def fifteen_minute_blocks(count: int) -> list[dict]:
    result = []
    for index in range(count):
        start = index * 15
        end = min(start + 15, 23 * 60 + 59)
        result.append(window(hhmm(start), hhmm(end)))
    return result


def test_96_blocks_covering_the_day_are_valid():
    assert MAX_BLOCKS == 96
    assert details(fifteen_minute_blocks(96)) == []


def test_one_block_is_valid():
    assert details([window("12:00", "12:15")]) == []


def test_97_blocks_are_refused():
    # 97 valid, disjoint one-minute blocks
    blocks = [window(hhmm(m), hhmm(m + 1)) for m in range(0, 97 * 14, 14)]
    assert len(blocks) == 97 and details(blocks[:96]) == []
    assert details(blocks) == ["timeConfigs: must have 1 to 96 blocks, got 97"]


def test_no_block_is_refused():
    assert details([]) == ["timeConfigs: must have 1 to 96 blocks, got 0"]


@pytest.mark.parametrize("value", [None, {}, GOOD, "[]", 3, True], ids=repr)
def test_time_configs_must_be_a_list(value):
    assert details(value) == ["timeConfigs: must be a list of 1 to 96 blocks"]


@pytest.mark.parametrize("value", [None, "block", 1, [GOOD], True], ids=repr)
def test_each_block_must_be_an_object(value):
    assert details([value]) == ["timeConfigs[0]: must be an object"]


# -- keys --------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["extra", "PBatMax", "soc_min", "", "from "])
def test_unknown_keys_are_refused(key):
    assert details([{**GOOD, key: 1}]) == [f"timeConfigs[0].{key}: unknown field"
                                           if key else "timeConfigs[0]: unknown field"]


@pytest.mark.parametrize("field", ["from", "to", "pBatMax", "pBatMin", "socMax", "socMin"])
def test_each_key_is_required(field):
    assert details([block(**{field: ...})]) == [f"timeConfigs[0].{field}: is required"]


# -- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 0.0, 0.5, 50, 1e6])
def test_pbatmax_accepts_zero_and_more(value):
    assert details([block(pBatMax=value)]) == []


@pytest.mark.parametrize("value", [-0.001, -1, -50])
def test_pbatmax_must_not_be_negative(value):
    assert details([block(pBatMax=value)]) == ["timeConfigs[0].pBatMax: must be >= 0"]


@pytest.mark.parametrize("value", [0, 0.0, -0.5, -50, -1e6])
def test_pbatmin_accepts_zero_and_less(value):
    assert details([block(pBatMin=value)]) == []


@pytest.mark.parametrize("value", [0.001, 1, 50])
def test_pbatmin_must_not_be_positive(value):
    assert details([block(pBatMin=value)]) == ["timeConfigs[0].pBatMin: must be <= 0"]


@pytest.mark.parametrize("soc_min, soc_max", [(0, 0), (0, 100), (100, 100), (50, 50),
                                              (0.5, 99.5), (20, 90)])
def test_soc_bounds_accepted(soc_min, soc_max):
    assert details([block(socMin=soc_min, socMax=soc_max)]) == []


@pytest.mark.parametrize("soc_min, soc_max, expected", [
    (-1, 90, ["timeConfigs[0].socMin: must be between 0 and 100"]),
    (-0.01, 90, ["timeConfigs[0].socMin: must be between 0 and 100"]),
    (20, 100.01, ["timeConfigs[0].socMax: must be between 0 and 100"]),
    (20, 101, ["timeConfigs[0].socMax: must be between 0 and 100"]),
    (90, 20, ["timeConfigs[0].socMin: must be <= socMax"]),
    (50.5, 50, ["timeConfigs[0].socMin: must be <= socMax"]),
    (101, 150, ["timeConfigs[0].socMin: must be between 0 and 100",
                "timeConfigs[0].socMax: must be between 0 and 100"]),
    (-5, -10, ["timeConfigs[0].socMin: must be between 0 and 100",
               "timeConfigs[0].socMax: must be between 0 and 100",
               "timeConfigs[0].socMin: must be <= socMax"]),
])
def test_soc_bounds_refused(soc_min, soc_max, expected):
    assert details([block(socMin=soc_min, socMax=soc_max)]) == expected


@pytest.mark.parametrize("value", [True, False, "50", "", None, math.nan, math.inf, -math.inf,
                                   [50], {"kW": 50}], ids=repr)
@pytest.mark.parametrize("field", ["pBatMax", "pBatMin", "socMax", "socMin"])
def test_numbers_must_be_finite_numbers(field, value):
    assert details([block(**{field: value})]) == [
        f"timeConfigs[0].{field}: must be a finite number"]


@pytest.mark.parametrize("changes, expected", [
    ({"pBatMax": "50", "socMax": 101},
     ["timeConfigs[0].pBatMax: must be a finite number",
      "timeConfigs[0].socMax: must be between 0 and 100"]),
    ({"socMin": ..., "pBatMax": -1, "pBatMin": 1},
     ["timeConfigs[0].socMin: is required", "timeConfigs[0].pBatMax: must be >= 0",
      "timeConfigs[0].pBatMin: must be <= 0"]),
    ({"socMax": None, "socMin": 120},
     ["timeConfigs[0].socMax: must be a finite number",
      "timeConfigs[0].socMin: must be between 0 and 100"]),
    ({"from": "25:00", "socMin": -1},
     ["timeConfigs[0].from: must be a time HH:MM from 00:00 to 23:59",
      "timeConfigs[0].socMin: must be between 0 and 100"]),
], ids=["bad-type-and-range", "missing-and-ranges", "null-and-range", "time-and-range"])
def test_one_bad_field_does_not_hide_another(changes, expected):
    assert details([block(**changes)]) == expected


# -- reporting ---------------------------------------------------------------------------------

def test_one_line_per_violation_with_its_json_path():
    blocks = [
        {"from": "7:00", "to": "08:00", "pBatMax": -1, "pBatMin": 1, "socMax": 90, "socMin": 20,
         "x": 1},
        block(socMin=95, socMax=90),
        {"from": "10:00", "to": "09:00", "pBatMax": "1", "pBatMin": 0, "socMax": 1},
    ]
    assert details(blocks) == [
        "timeConfigs[0].x: unknown field",
        "timeConfigs[0].from: must be a time HH:MM from 00:00 to 23:59",
        "timeConfigs[0].pBatMax: must be >= 0",
        "timeConfigs[0].pBatMin: must be <= 0",
        "timeConfigs[1].socMin: must be <= socMax",
        "timeConfigs[2].socMin: is required",
        "timeConfigs[2].to: must be after from",
        "timeConfigs[2].pBatMax: must be a finite number",
    ]


def test_problems_of_every_block_are_reported_with_its_index():
    third = {**window("03:00", "04:00"), "socMin": 101, "socMax": 100}
    blocks = [window("00:00", "01:00"), window("01:00", "02:00"), third]
    problems = validate_time_configs(blocks)
    assert [(p.index, p.field, p.path()) for p in problems] == [
        (2, "socMin", "timeConfigs[2].socMin"), (2, "socMin", "timeConfigs[2].socMin")]
    assert [p.detail("body") for p in problems] == [
        "body[2].socMin: must be between 0 and 100", "body[2].socMin: must be <= socMax"]


def test_the_validator_does_not_change_its_input():
    blocks = [window("07:00", "23:59"), window("00:00", "07:00")]
    copy = [dict(b) for b in blocks]
    validate_time_configs(blocks)
    assert blocks == copy


# -- numbers at the edges of floats ------------------------------------------------------------

LARGEST = sys.float_info.max


@pytest.mark.parametrize("value", [1e23, 10**23, 10**308, LARGEST, int(LARGEST), -0.0, 5e-324],
                         ids=repr)
def test_pbatmax_accepts_any_finite_size(value):
    assert details([block(pBatMax=value)]) == []
    assert details([block(pBatMin=-value)]) == []


@pytest.mark.parametrize("value", [10**400, 2**1024, math.inf], ids=repr)
@pytest.mark.parametrize("field, sign", [("pBatMax", 1), ("pBatMin", -1), ("socMax", 1),
                                         ("socMin", -1)])
def test_numbers_beyond_any_float_are_not_finite(field, sign, value):
    assert details([block(**{field: sign * value})]) == [
        f"timeConfigs[0].{field}: must be a finite number"]


def test_a_block_with_bad_numbers_still_takes_part_in_the_overlap_check():
    blocks = [window("00:00", "08:00"), {**window("07:00", "09:00"), "socMin": True}]
    assert details(blocks) == ["timeConfigs[1].socMin: must be a finite number",
                               "timeConfigs[1].from: overlaps timeConfigs[0] (00:00-08:00)"]


def test_keys_may_come_in_any_order():
    assert details([dict(reversed(GOOD.items()))]) == []


# -- the fast path for valid blocks and the full check agree -----------------------------------

EDGE_TIMES = ["00:00", "00:01", "07:00", "12:00", "23:58", "23:59", "24:00", "7:00", "12:60",
              "٠٧:٠٠", "", 700, None, True]
EDGE_NUMBERS = [0, -0.0, 0.5, -0.5, 20, 90, 100, 100.0, 101, -1, 50, -50, 1e23, -1e23,
                LARGEST, -LARGEST, 10**400, -(10**400), math.nan, math.inf, -math.inf, True,
                False, "50", None, [50]]
KEYS = st.sampled_from([*timeconfig.FIELDS, "extra"])


@st.composite
def blocks_near_the_rules(draw) -> object:
    """Blocks that are mostly valid: each field kept, dropped, replaced by an edge value, or
    joined by an unknown key; sometimes something that is not a block at all."""
    if draw(st.integers(0, 20)) == 0:
        return draw(st.sampled_from([None, [], "block", 1]))
    start = draw(st.integers(0, 24 * 60 - 2))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    soc_min = draw(st.integers(0, 100))
    result = {"from": f"{start // 60:02d}:{start % 60:02d}",
              "to": f"{end // 60:02d}:{end % 60:02d}",
              "pBatMax": draw(st.floats(0, 1e6) | st.integers(0, 10**6)),
              "pBatMin": draw(st.floats(-1e6, 0) | st.integers(-10**6, 0)),
              "socMax": draw(st.integers(soc_min, 100)), "socMin": soc_min}
    for key in draw(st.lists(KEYS, max_size=3)):
        edges = EDGE_TIMES if key in ("from", "to") else EDGE_NUMBERS
        change = draw(st.sampled_from(["drop", "edge"]))
        if change == "drop":
            result.pop(key, None)
        else:
            result[key] = draw(st.sampled_from(edges))
    return result


@settings(max_examples=400, deadline=None)
@given(blocks=st.lists(blocks_near_the_rules(), min_size=1, max_size=6))
def test_valid_blocks_take_a_shortcut_that_finds_exactly_what_the_full_check_finds(blocks):
    fast = validate_time_configs(blocks)
    original = timeconfig._valid_window
    timeconfig._valid_window = lambda _block: None  # every block through the full check
    try:
        assert validate_time_configs(blocks) == fast
    finally:
        timeconfig._valid_window = original
    for block in blocks:
        if timeconfig._valid_window(block) is not None:
            assert timeconfig._validate_block(0, block) == []
