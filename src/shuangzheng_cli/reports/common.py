"""What every report shares: figures and dates as people write them, a unit's cells, an entry as JSON."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..board.rules import BoardIndex
from ..definitions.catalog import SCORE_PARTS, Catalog, Cell
from ..ledger.format import NOT_STARTED, SEVERITY, Entry

if TYPE_CHECKING:
    pass

_RANK = {**SEVERITY, NOT_STARTED: -1}
GOOD_COLORS = ("green", "blue")
COMPONENTS = ("timeliness", "color", "inspections", "targets")
COMPONENT_NAMES = SCORE_PARTS


def num(x: float) -> int | float:
    """A figure as people write it: 3 not 3.0, at most two decimals."""
    return int(x) if float(x).is_integer() else round(x, 2)


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def add_metrics(total: dict[str, float], metrics: dict[str, float]) -> None:
    for name, value in metrics.items():
        total[name] = total.get(name, 0) + value


def unit_cells(index: BoardIndex, unit: str) -> list[Cell]:
    return [c for c in index.cells if c.unit == unit]


def report_units(index: BoardIndex) -> list[str]:
    """Units that own a cell of the index, in plan order."""
    return list(dict.fromkeys(c.unit for c in index.cells))


def _entry_json(catalog: Catalog, e: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id,
        "date": e.date.isoformat(),
        "unit": e.unit,
        "unit_name": catalog.name(e.unit),
        "activity": e.activity,
        "kind": e.kind,
        "color": e.color,
        "text": e.text,
    }
    if e.kind == "progress":
        out |= {"problems": e.problems, "metrics": {k: num(v) for k, v in e.metrics.items()}, "evidence": list(e.evidence)}
    else:
        out |= {"method": e.method, "followup": list(e.followup)}
    return out
