"""The geometry of the schedule picture."""

from __future__ import annotations

import pytest

from voke_esm.platform.schedule import LEFT, PLOT, POWER_HEIGHT, SOC_HEIGHT, SOC_TOP, build_timeline


def block(start: str, end: str, p_max=50, p_min=-50, soc_max=90, soc_min=20) -> dict:
    return {"from": start, "to": end, "pBatMax": p_max, "pBatMin": p_min, "socMax": soc_max,
            "socMin": soc_min}


def test_an_all_day_block_fills_the_day_without_gaps():
    timeline = build_timeline([block("00:00", "23:59")])
    (window,) = timeline.windows
    assert window.soc.x == LEFT and window.soc.width == PLOT
    assert timeline.gaps == []
    assert [tick.label for tick in timeline.hours][::4] == ["00:00", "12:00", "24:00"]


def test_touching_blocks_leave_no_gap_and_gaps_are_drawn():
    timeline = build_timeline([block("07:00", "12:00"), block("00:00", "07:00"),
                               block("14:00", "20:00")])
    assert [w.start for w in timeline.windows] == ["00:00", "07:00", "14:00"]
    assert [(g.start, g.end) for g in timeline.gaps] == [("12:00", "14:00"), ("20:00", "23:59")]
    assert timeline.gaps[0].box.width == pytest.approx(PLOT * 2 / 24, abs=0.02)


def test_a_leading_gap_is_drawn():
    timeline = build_timeline([block("06:00", "23:59")])
    assert [(g.start, g.end) for g in timeline.gaps] == [("00:00", "06:00")]


def test_soc_band_and_power_bars_are_to_scale():
    timeline = build_timeline([block("00:00", "11:59", 20, -40, 80, 30),
                               block("12:00", "23:59", 10, -10, 100, 0)])
    first, second = timeline.windows
    assert timeline.power_scale == 40
    assert first.soc.y == pytest.approx(SOC_TOP + SOC_HEIGHT * 0.2)
    assert first.soc.height == pytest.approx(SOC_HEIGHT * 0.5)
    assert first.charge.height == pytest.approx(POWER_HEIGHT / 4)
    assert first.discharge.height == pytest.approx(POWER_HEIGHT / 2)
    assert second.soc.height == pytest.approx(SOC_HEIGHT)
    assert first.summary == "00:00–11:59: SoC 30–80 %, battery power −40 … +20 kW"


def test_narrow_windows_keep_their_numbers_in_the_tooltip_only():
    timeline = build_timeline([block("00:00", "00:30"), block("00:30", "23:59")])
    assert [w.labelled for w in timeline.windows] == [False, True]


def test_zero_power_limits_do_not_divide_by_zero():
    timeline = build_timeline([block("00:00", "23:59", 0, 0)])
    assert timeline.power_scale == 1 and timeline.windows[0].charge.height == 0


def test_blocks_carry_the_number_of_their_row():
    """Stored order is the editor's row order; the picture is in time order."""
    timeline = build_timeline([block("12:00", "23:59"), block("00:00", "06:00"),
                               block("06:00", "06:10")])
    assert [(w.number, w.start) for w in timeline.windows] == [(2, "00:00"), (3, "06:00"),
                                                               (1, "12:00")]
    assert [w.numbered for w in timeline.windows] == [True, False, True]  # 10 minutes: no room
