"""Geometry of the 24-hour schedule picture: the SoC band and the battery power limits per window.

Pure arithmetic on stored (valid) blocks; the template only draws what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..timeconfig import hhmm, minutes
from .forms import show_number

DAY = 24 * 60
WIDTH, LEFT, RIGHT = 960, 72, 40  # room for "24:00" at the size a phone needs
PLOT = WIDTH - LEFT - RIGHT
SOC_TOP, SOC_HEIGHT = 34, 88
POWER_TOP, POWER_HEIGHT = 162, 96
AXIS_Y = POWER_TOP + POWER_HEIGHT + 24
HEIGHT = AXIS_Y + 10
MIN_LABEL_WIDTH = 56  # narrower windows keep their numbers in the tooltip only
MIN_NUMBER_WIDTH = 12  # a block's row number fits a window of 20 minutes or more


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Window:
    """One block: where it sits on the day and the boxes that picture its limits. `number` is
    its row in the editor (1-based, in stored order), shown on the picture."""

    number: int
    start: str
    end: str
    soc: Box
    charge: Box
    discharge: Box
    soc_label: str
    power_label: str
    labelled: bool
    summary: str

    @property
    def numbered(self) -> bool:
        return self.soc.width >= MIN_NUMBER_WIDTH


@dataclass(frozen=True)
class Gap:
    start: str
    end: str
    box: Box
    labelled: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    windows: list[Window]
    gaps: list[Gap]
    hours: list[Tick]
    power_scale: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_width: int = PLOT
    soc_top: int = SOC_TOP
    soc_height: int = SOC_HEIGHT
    power_top: int = POWER_TOP
    power_height: int = POWER_HEIGHT
    axis_y: int = AXIS_Y

    @property
    def zero_y(self) -> float:
        return self.power_top + self.power_height / 2

    @property
    def right(self) -> int:
        return self.left + self.plot_width


def x_of(minute: int) -> float:
    return round(LEFT + PLOT * minute / DAY, 2)


def end_minute(hhmm: str) -> int:
    """`to` is inclusive: a window ending 23:59 lasts until midnight."""
    return DAY if hhmm == "23:59" else minutes(hhmm)


def soc_box(start_x: float, width: float, block: dict) -> Box:
    top = SOC_TOP + SOC_HEIGHT * (100 - block["socMax"]) / 100
    height = SOC_HEIGHT * (block["socMax"] - block["socMin"]) / 100
    return Box(start_x, round(top, 2), width, round(max(height, 1.5), 2))


def power_boxes(start_x: float, width: float, block: dict, scale: float) -> tuple[Box, Box]:
    half = POWER_HEIGHT / 2
    zero = POWER_TOP + half
    up = half * block["pBatMax"] / scale
    down = half * -block["pBatMin"] / scale
    return (Box(start_x, round(zero - up, 2), width, round(up, 2)),
            Box(start_x, zero, width, round(down, 2)))


def build_timeline(blocks: list[dict], power_floor: float = 1) -> Timeline:
    """The picture of a day's blocks; uncovered time between them shows as gaps.

    The power axis spans the largest limit, or `power_floor` kW when that is more (room for
    what is drawn over it)."""
    ordered = sorted(enumerate(blocks, 1), key=lambda numbered: minutes(numbered[1]["from"]))
    scale = max([abs(b["pBatMax"]) for b in blocks] + [abs(b["pBatMin"]) for b in blocks]
                + [power_floor])
    windows, gaps, reach = [], [], 0
    for number, block in ordered:
        start, end = minutes(block["from"]), end_minute(block["to"])
        if start - reach > 1:  # touching (07:00|07:00) and minute-adjacent windows leave no gap
            gaps.append(_gap(reach, start))
        x, width = x_of(start), round(x_of(end) - x_of(start), 2)
        charge, discharge = power_boxes(x, width, block, scale)
        soc = f"{show_number(block['socMin'])}–{show_number(block['socMax'])} %"
        power = f"{signed(block['pBatMin'])} … {signed(block['pBatMax'])} kW"
        windows.append(Window(
            number, block["from"], block["to"], soc_box(x, width, block), charge, discharge, soc,
            power, width >= MIN_LABEL_WIDTH,
            f"{block['from']}–{block['to']}: SoC {soc}, battery power {power}"))
        reach = max(reach, end)
    if DAY - reach > 1:
        gaps.append(_gap(reach, DAY))
    hours = [Tick(x_of(hour * 60), f"{hour:02d}:00") for hour in range(0, 25, 3)]
    return Timeline(windows, gaps, hours, scale)


def signed(value: float) -> str:
    """-50 -> '−50', 50 -> '+50', 0 -> '0' (a real minus sign, as the axis shows it)."""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + show_number(abs(value))


def _gap(start: int, end: int) -> Gap:
    box = Box(x_of(start), SOC_TOP, round(x_of(end) - x_of(start), 2),
              POWER_TOP + POWER_HEIGHT - SOC_TOP)
    return Gap(_hhmm(start), _hhmm(end), box, box.width >= MIN_LABEL_WIDTH / 2)


def _hhmm(minute: int) -> str:
    """A gap's edge as a time; the end of the day shows as 23:59, the last minute there is."""
    return hhmm(min(minute, DAY - 1))
