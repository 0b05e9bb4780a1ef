"""A check's limits and rules in words: one wording for `dostyk validate`, report.html's parameters and the
where-trains-wait table (each had its own: "quota 12 trains/day" in one, "at most 12 trains a day" in
another, and working hours of 00:00-24:00 read "works 00:00-24:00 only" in the report). No heavy imports:
`dostyk validate` uses it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario.schema import Check


def shares_text(shares: dict[str, float]) -> str:
    """Shares (weights) as percentages of their sum: "grain 60%, containers 40%"."""
    total = sum(shares.values())
    return ", ".join(f"{k} {v / total:.0%}" for k, v in shares.items())


def check_limits(check: Check) -> list[str]:
    """What limits entry to the check: its working hours (none when it works around the clock), its daily
    quota and how many trains it takes at once."""
    parts = []
    whole_day = check.hours is not None and check.hours[1] - check.hours[0] >= 24
    if check.hours is not None and not whole_day:
        parts.append(f"works {check.model_dump()['hours']} only")
    if check.trains_per_day:
        parts.append(f"at most {check.trains_per_day:,} trains a day")
    if check.trains_at_once:
        parts.append(f"{check.trains_at_once:,} {'train' if check.trains_at_once == 1 else 'trains'} at once")
    return parts


def check_in_words(check: Check) -> list[str]:
    """The check's limits (saying so when it works around the clock), the cargo it sees, its shares and
    the refusals it makes."""
    parts = check_limits(check)
    if not parts or not parts[0].startswith("works "):
        parts.insert(0, "works around the clock")
    if check.cargo:
        parts.append(f"{', '.join(check.cargo)} only")
    if check.shares:
        parts.append(f"shares {shares_text(check.shares)}")
    for refusal in check.reject or []:
        parts.append(f"refuses {refusal.share:.0%} of the {'trains' if refusal.per == 'train' else 'wagons'}"
                     + (f" of {', '.join(refusal.cargo)}" if refusal.cargo else ""))
    return parts
