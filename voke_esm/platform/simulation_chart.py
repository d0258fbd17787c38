"""Geometry of the simulated day drawn over the schedule picture: the SoC line over the SoC
band, battery and PV power over the power limits, and a marker at the client's clock."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..services.simulation import SimulatedDay
from ..simulation import START_SOC_PCT, STEP_MINUTES, Step
from .schedule import Box, Timeline, build_timeline, signed, x_of

LABEL_ROOM, TITLE_ROOM = 80, 170  # px the "now" label and the SoC lane's title take


@dataclass(frozen=True)
class Chart:
    day: str
    soc_points: str | None  # None: the plant has no battery
    battery_points: str
    pv_points: str | None  # None: the plant has no PV
    now: Step | None
    now_x: float | None
    now_y: float | None
    now_label: Box | None  # where "now" is written: x, y and (as width) -1 for text-anchor end
    now_summary: str | None
    summary: str


def nice_ceiling(value: float) -> float:
    """The next 1, 1.5, 2, 3 or 5 × 10^k at or above value: an axis that reads at a glance."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 1.5, 2, 3, 5, 10) if step * power >= value)


def timeline_with_simulation(blocks: list[dict], day: SimulatedDay) -> tuple[Timeline, Chart]:
    """The schedule picture, its power axis wide enough for the simulated PV and battery."""
    peak = max([abs(step.pv_kw) for step in day.steps] + [abs(step.battery_kw)
                                                         for step in day.steps])
    timeline = build_timeline(blocks, power_floor=nice_ceiling(peak) if peak > 0 else 1)
    return timeline, build_chart(timeline, day)


def build_chart(t: Timeline, day: SimulatedDay) -> Chart:
    def soc_y(pct: float) -> float:
        return round(t.soc_top + t.soc_height * (100 - pct) / 100, 2)

    def power_y(kw: float) -> float:
        return round(t.zero_y - t.power_height / 2 * kw / t.power_scale, 2)

    steps = day.steps
    has_battery = steps[0].soc_pct is not None
    soc = None
    if has_battery:
        soc = _points([(x_of(0), soc_y(START_SOC_PCT))]
                      + [(x_of((i + 1) * STEP_MINUTES), soc_y(s.soc_pct))
                         for i, s in enumerate(steps)])
    battery = _points(_without_flat_runs([point for i, s in enumerate(steps) for point in (
        (x_of(i * STEP_MINUTES), power_y(s.battery_kw)),
        (x_of((i + 1) * STEP_MINUTES), power_y(s.battery_kw)))]))
    pv = None
    if any(s.pv_kw for s in steps):
        pv = _points([(x_of(0), power_y(0))]
                     + [(x_of(i * STEP_MINUTES + STEP_MINUTES // 2), power_y(s.pv_kw))
                        for i, s in enumerate(steps)] + [(x_of(24 * 60), power_y(0))])
    now_x = now_y = label = None
    if day.now is not None:
        now_x = x_of(day.now_minute)
        now_y = soc_y(day.now.soc_pct) if has_battery else None
        label = _now_label(t, now_x)
    return Chart(day.day.isoformat(), soc, battery, pv, day.now, now_x, now_y, label,
                 describe_step(day.now) if day.now else None, _summary(day, has_battery))


def _now_label(t: Timeline, now_x: float) -> Box:
    """Above the SoC lane, beside the marker; early in the day the lane's title sits there,
    so between the lanes instead; near the right edge, written leftward."""
    leftward = now_x > t.right - LABEL_ROOM
    y = t.soc_top - 8 if now_x > t.left + TITLE_ROOM else t.soc_top + t.soc_height + 16
    return Box(now_x - 4 if leftward else now_x + 4, y, -1 if leftward else 1, 0)


def describe_step(step: Step) -> str:
    soc = f"SoC {step.soc_pct:.1f} %, " if step.soc_pct is not None else ""
    return (f"{soc}battery {signed(round(step.battery_kw, 1))} kW, PV {step.pv_kw:.1f} kW, "
            f"load {step.load_kw:.1f} kW, grid {signed(round(step.grid_kw, 1))} kW")


def _summary(day: SimulatedDay, has_battery: bool) -> str:
    if not has_battery:
        return f"Simulated {day.day.isoformat()}: no battery (capacity 0 kWh)."
    socs = [step.soc_pct for step in day.steps]
    text = (f"Simulated {day.day.isoformat()}: SoC from {START_SOC_PCT:.0f} % at 00:00 to "
            f"{socs[-1]:.1f} % at 24:00, lowest {min(socs):.1f} %, highest {max(socs):.1f} %.")
    if day.now is not None:
        text += f" Now ({day.now.at}): {describe_step(day.now)}."
    return text


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def _without_flat_runs(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop the inner points of level runs: an idle battery is one segment, not 192 points."""
    return [point for i, point in enumerate(points)
            if i in (0, len(points) - 1) or not points[i - 1][1] == point[1] == points[i + 1][1]]
