"""Which cells of the board a question asks about: a category, an activity, a unit (or a group), a color."""

from __future__ import annotations

from ..definitions.catalog import Catalog
from ..errors import UsageProblem
from ..ledger.format import parse_color
from .rules import Board, CellStatus


def select(
    catalog: Catalog,
    board: Board,
    *,
    category: int | None = None,
    activity: str | None = None,
    unit: str | None = None,
    color: str | None = None,
) -> Board:
    """The board with only the cells asked for; a unit group keeps its members. `UsageProblem` for an
    unknown category, activity, unit or color (names resolved through the catalog)."""
    keep_units: set[str] | None = None
    number = None
    wanted_color = None
    for given, what in ((activity, "活动"), (unit, "单位"), (color, "颜色")):
        if given is not None and not given.strip():  # `--unit ""`: not "every unit" by accident
            raise UsageProblem(f"{what}不能为空：要看全部，去掉这个选项即可")
    if category is not None and category not in catalog.categories:
        raise UsageProblem(f"未知类别 {category}：类别编号为 {min(catalog.categories)}–{max(catalog.categories)}")
    if activity:
        number = catalog.resolve_activity(activity)
    if unit:
        uid = catalog.resolve_unit(unit)
        keep_units = set(catalog.expand(uid)) | {uid}
    if color:
        wanted_color = parse_color(color)
        if wanted_color is None and color.strip() in ("未开始", "not_started"):
            wanted_color = "not_started"
        if wanted_color is None:
            raise UsageProblem(f"颜色 '{color}' 无效：可写 红/黄/蓝/绿 或 red/yellow/blue/green")

    def keep(c: CellStatus) -> bool:
        return (
            (category is None or catalog.activities[c.activity].category == category)
            and (number is None or c.activity == number)
            and (keep_units is None or c.unit in keep_units)
            and (wanted_color is None or c.color == wanted_color)
        )

    return board.filter(keep)


