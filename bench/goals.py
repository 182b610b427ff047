"""The goals one run of ``make bench`` is held to, gathered as each figure is measured and
printed together at the end, so a run is judged from one table rather than by reading
every section.

A figure that could not be measured (no PostgreSQL, a machine too busy) is listed as
such: a goal that was not measured is not met.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    """One figure and the bound it must keep: at least ``bound``, or at most it."""

    name: str
    measured: float | None
    bound: float
    at_most: bool = False
    unit: str = ""
    why_not: str = ""
    """Why there is no figure, when ``measured`` is None."""

    @property
    def met(self) -> bool:
        if self.measured is None:
            return False
        return self.measured <= self.bound if self.at_most else self.measured >= self.bound

    def line(self, width: int) -> str:
        wanted = f"{'<=' if self.at_most else '>='} {self.bound:g}{self.unit}"
        if self.measured is None:
            return f"  {self.name:<{width}}{'-':>10}  {wanted:<12}not measured: {self.why_not}"
        shown = f"{self.measured:.3g}{self.unit}" if self.measured < 100 else (
            f"{self.measured:.0f}{self.unit}")
        return f"  {self.name:<{width}}{shown:>10}  {wanted:<12}{'met' if self.met else 'MISSED'}"


_run: list[Goal] = []


def record(name: str, measured: float, bound: float, *, at_most: bool = False,
           unit: str = "") -> None:
    """Keep a measured figure and its goal for the run's summary."""
    _run.append(Goal(name, measured, bound, at_most, unit))


def not_measured(name: str, bound: float, why: str, *, at_most: bool = False,
                 unit: str = "") -> None:
    """Keep a goal whose figure this run could not measure, and why."""
    _run.append(Goal(name, None, bound, at_most, unit, why))


def summary() -> list[str]:
    """The run's goals as lines of a table, ending with how many were met."""
    if not _run:
        return []
    width = max(len(g.name) for g in _run) + 2
    met = sum(g.met for g in _run)
    return ["goals of this run (the machine is shared and noisy: a figure near its goal "
            "can swing either way between runs)",
            f"  {'goal':<{width}}{'measured':>10}  {'wanted':<12}",
            *(g.line(width) for g in _run),
            f"  {met} of {len(_run)} met"]
