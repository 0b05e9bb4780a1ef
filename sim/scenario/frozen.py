"""A scenario cannot be changed in place, not even inside one of its mappings or lists.

pydantic's `frozen=True` refused `scenario.duration = 48` (as "Instance is frozen", a pydantic
ValidationError that did not say what to do instead), but `scenario.checks.clear()` or
`scenario.cargo["coal"] = …` changed a validated scenario without a word: the next run ran
something no validator had seen, and a notebook's baseline was the changed one in every later cell.
Every mapping and list of a validated scenario is now a read-only one, and every change in place
is refused saying how to make a changed copy (`with_changes`, which validates it).
"""

from __future__ import annotations

from typing import Any, NoReturn

from sim.errors import SimError

HOW = ("a Scenario is immutable, so results always show the scenario that made them; make a changed "
       "copy instead, which is validated like a file: scenario.with_changes({KEY: VALUE})")


class ImmutableScenarioError(SimError, TypeError):
    """A change in place to a scenario (TypeError, as Python's own read-only containers raise)."""


def refuse(what: str, key: str = "'unloading.grain.points'", value: str = "8") -> NoReturn:
    raise ImmutableScenarioError(f"{what} cannot be changed in place: "
                                 + HOW.replace("KEY", key).replace("VALUE", value))


class FrozenDict(dict[Any, Any]):
    """A scenario's mapping (cargo, demand, unloading groups…): read like a dict, never changed."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse("a scenario's mapping")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:  # pickle and copy rebuild it whole, not key by key
        return (FrozenDict, (dict(self),))


class FrozenList(list[Any]):
    """A scenario's list (checks, disruptions, a monthly profile…): read like a list, never changed."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse("a scenario's list", "'disruptions'", "[]")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))


def frozen(value: Any) -> Any:
    """`value` with every dict and list in it made read-only (models freeze their own)."""
    if isinstance(value, dict) and not isinstance(value, FrozenDict):
        return FrozenDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list) and not isinstance(value, FrozenList):
        return FrozenList(frozen(v) for v in value)
    return value


def freeze_fields(model: Any) -> None:
    """Make the containers among a just-validated model's fields read-only (its fields are frozen already)."""
    values = model.__dict__
    for name in type(model).model_fields:
        if name in values:
            values[name] = frozen(values[name])
