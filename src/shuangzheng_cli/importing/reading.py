"""Reading a returned workbook (导入) into entries, every row checked before anything is written.

`read_workbook` takes what Excel, WPS (also 兼容模式 .xls), LibreOffice or an online sheet
sends back (see `book.open_book`) and answers with a `FileResult`: the unit (from the
workbook, agreeing with what the sheets show), the rows as entries, every bad cell as
`FILE!C7: 原因`, and notices for what was not read (hidden rows and sheets) or is odd (a
date outside the template's period).

A row's identity is its content and the template it was filled in (`row_id`; the template's
random id kept in `_meta`, none for templates made before it was added): not the sheet's name
or position, so a copied or renamed sheet adds nothing, and not the clock: an imported line's `at` is the time the
workbook was last saved (`recorded_at`) and its `by` the row's 填报人, else the unit's
liaison, so two clerks importing the same workbook in two clones write the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from ..definitions.catalog import Catalog, metric_hint
from ..errors import ShuangzhengError, UsageProblem
from ..ledger.entries import (
    clean_text,
    coerce_color,
    parse_metrics,
    reference_problems,
    text_problems,
    validate,
)
from ..ledger.format import Entry
from ..ledger.storage import derived_id
from ..periods import SHANGHAI, parse_date
from .book import Book, Cell, Sheet, open_book
from .template import FORM_SHEET, HELP_SHEET, META_SHEET, REQUIRED, TEMPLATE_ID, UNIT_NAME

HEADER_SEARCH_ROWS = 20
#: Columns whose content is the report itself: merged over rows it would be counted twice.
TEXT_COLUMNS = ("进展情况", "存在问题", "下步打算", "数据")
CONTENT_COLUMNS = ("日期", "活动", *TEXT_COLUMNS)


@dataclass(frozen=True)
class BadCell:
    """One bad cell of a returned workbook: `FILE!C7: 原因` (`FILE!表名!C7` off the 填报 sheet)."""

    file: str
    sheet: str
    row: int
    column: int
    message: str

    @property
    def place(self) -> str:
        return cell_place(self.file, self.sheet, self.row, self.column)

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"

    @property
    def order(self) -> tuple[str, str, int, int]:
        return (self.file, self.sheet, self.row, self.column)


def cell_place(file: str, sheet: str, row: int, column: int = 0) -> str:
    """`报送模板.xlsx!C7`, `报送模板.xlsx!填报 (2)!第7行`."""
    if not row:
        return file
    ref = f"{get_column_letter(column)}{row}" if column else f"第{row}行"
    return f"{file}!{ref}" if sheet == FORM_SHEET else f"{file}!{sheet}!{ref}"


@dataclass
class FileResult:
    """What one workbook holds: its unit, its rows as entries, its bad cells and notices."""

    label: str
    unit: str | None = None
    template_id: str | None = None  # the template's id (`_meta`), None for a workbook without one
    format: str = "xlsx"
    rows: int = 0
    entries: list[Entry] = field(default_factory=list)
    places: dict[str, str] = field(default_factory=dict)  # entry id → where its row is
    contents: dict[str, str] = field(default_factory=dict)  # entry id → `row_id` of its content alone
    repeated: int = 0  # rows identical to an earlier row of the same workbook: recorded once
    bad: list[BadCell] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def row_id(unit: str, day: dt.date, activity: int, color: str | None, text: str, problems: str,
           nxt: str, metrics: dict[str, float], filled_by: str, source: str | None = None) -> str:
    """The id of an imported row: its content and `source`, the id of the template it was filled
    in. Without a source (a workbook without a template id, as all were before ids were added,
    and the "content alone" of any row) the id is the content's only: the sheet part is the
    constant 填报, as in ids written before sheets were ignored, so earlier imports are still recognized."""
    metric_text = json.dumps({k: float(v) for k, v in metrics.items()}, ensure_ascii=False, sort_keys=True)
    parts = [unit, FORM_SHEET, day.isoformat(), str(activity), color or "", text, problems, nxt, metric_text, filled_by]
    if source is not None:
        parts.append(f"template:{source}")
    return derived_id(*parts)


def content_ids(entry: Entry) -> set[str]:
    """The `row_id`s without a source that a progress entry's content may have (填报人 its `by` or empty)."""
    return {
        row_id(entry.unit, entry.date, entry.activity, entry.color, entry.text, entry.problems, entry.next,
               entry.metrics, filled)
        for filled in (entry.by, "")
    }


def was_imported(entry: Entry, source: str | None = None) -> bool:
    """Whether a progress entry came from a row of the workbook whose template id is `source`
    (None: a workbook without one), i.e. its id is that row's `row_id`. An entry of `add` never is."""
    if entry.kind != "progress":
        return False
    return any(
        row_id(entry.unit, entry.date, entry.activity, entry.color, entry.text, entry.problems, entry.next,
               entry.metrics, filled, source) == entry.id
        for filled in (entry.by, "")
    )


def recorded_at(modified: dt.datetime | None, day: dt.date, today: dt.date) -> str:
    """An imported row's `at`: when the workbook was last saved (+08:00), if that lies between
    the row's day and today; else the row's day at 00:00. Never the importing clerk's clock."""
    if modified is not None:
        local = modified.astimezone(SHANGHAI).replace(microsecond=0)
        if day <= local.date() <= today:
            return local.isoformat()
    return dt.datetime.combine(day, dt.time(), SHANGHAI).isoformat()


def default_recorder(catalog: Catalog, unit: str) -> str:
    """Who reported a row without 填报人: the unit's liaison, else `<单位>联络员`."""
    u = catalog.units.get(unit) or catalog.groups.get(unit)
    liaison = getattr(u, "liaison", None)
    return liaison.name if liaison is not None and liaison.name else f"{catalog.name(unit)}联络员"


# ====================================================================== the unit


def _meta(book: Book) -> dict[str, str]:
    sheet = book.sheet(META_SHEET)
    if sheet is None:
        return {}
    out = {}
    for cells in sheet.rows.values():
        key, value = cells.get(1), cells.get(2)
        if key and value and isinstance(key.value, str) and isinstance(value.value, str):
            out.setdefault(key.value.strip(), value.value.strip())
    return out


_TEMPLATE_ID_RE = re.compile(r"[0-9a-z]{4,32}")


def _template_id(book: Book) -> str | None:
    """The template's id from `_meta` (None when the workbook has none); a changed one is refused."""
    sheet = book.sheet(META_SHEET)
    if sheet is None:
        return None
    for number, cells in sorted(sheet.rows.items()):
        key = cells.get(1)
        if key is None or not isinstance(key.value, str) or key.value.strip() != TEMPLATE_ID:
            continue
        value = cells.get(2)
        text = "" if value is None else str(value.value).strip()
        if value is None or value.kind != "v" or not _TEMPLATE_ID_RE.fullmatch(text):
            raise ShuangzhengError(
                f"{cell_place(book.label, META_SHEET, number, 2)}: 模板编号 '{text[:40]}' 无效（隐藏表 {META_SHEET} 被改动过）："
                "无法确定是哪一份模板，拒绝导入（请用该单位新生成的模板重新填报）"
            )
        return text
    return None


def _visible_unit(book: Book, catalog: Catalog) -> tuple[str, str] | None:
    """The unit the sheets show (填报!A1's title, 说明's 填报单位) → (unit id, where)."""
    spots = []
    form, help_ws = book.sheet(FORM_SHEET), book.sheet(HELP_SHEET)
    if form is not None and not form.hidden:
        title = form.rows.get(1, {}).get(1)
        if title is not None and isinstance(title.value, str) and " · " in title.value:
            spots.append((title.value.split(" · ", 1)[0].strip(), f"{FORM_SHEET}!A1"))
    if help_ws is not None and not help_ws.hidden:
        for r, cells in sorted(help_ws.rows.items())[:10]:
            key, value = cells.get(1), cells.get(2)
            if key and value and key.value == "填报单位" and isinstance(value.value, str):
                spots.append((re.sub(r"（编号.*$", "", value.value).strip(), f"{HELP_SHEET}!B{r}"))
    for name, where in spots:
        try:
            return catalog.resolve_unit(name), where
        except UsageProblem:
            continue
    return None


def _unit(book: Book, catalog: Catalog, unit_hint: str | None) -> str:
    label = book.label
    stored_name = book.defined_names.get(UNIT_NAME, "")
    by_name = stored_name[1:-1] if len(stored_name) >= 2 and stored_name[0] == stored_name[-1] == '"' else None
    by_meta = _meta(book).get("unit")
    if by_name and by_meta and by_name != by_meta:
        raise ShuangzhengError(
            f"{label} 的定义名称 {UNIT_NAME} 记录的单位 '{by_name}' 与隐藏表 {META_SHEET} 记录的 '{by_meta}' 不一致："
            "工作簿被改动过，无法确定是哪个单位的报送，拒绝导入（请用该单位新生成的模板重新填报）"
        )
    stored = by_name or by_meta
    where = f"定义名称 {UNIT_NAME}" if by_name else f"隐藏表 {META_SHEET}"
    if stored is not None and not catalog.is_reporting_unit(stored):
        raise ShuangzhengError(f"{label} 的{where}记录的单位编号 '{stored}' 不在 units.yaml 中（模板来自别的工作区？）；可用 --unit 指定单位")
    hinted = None
    if unit_hint is not None:
        hinted = catalog.resolve_unit(unit_hint)
        if not catalog.is_reporting_unit(hinted):
            members = "、".join(catalog.name(m) for m in catalog.expand(hinted)[:5])
            raise UsageProblem(f"'{catalog.name(hinted)}' 是单位组，请写具体单位，如 {members}…")
    shown = _visible_unit(book, catalog) if stored is not None else None
    if stored is not None and shown is not None and shown[0] != stored:
        if hinted in (stored, shown[0]):
            return hinted
        raise ShuangzhengError(
            f"{label} 表内显示的单位是 {catalog.name(shown[0])}（{shown[1]}），但模板是为 {catalog.name(stored)}（{stored}）生成的：\n"
            f"请核对是哪个单位的报送，确认后用 --unit 指明（如 --unit {shown[0]} 或 --unit {stored}）"
        )
    if hinted is not None and stored is not None and hinted != stored:
        raise UsageProblem(
            f"{label} 是 {catalog.name(stored)}（{stored}）的模板，与 --unit 指定的 {catalog.name(hinted)}（{hinted}）不符：请核对文件"
        )
    unit = hinted or stored
    if unit is None:
        raise UsageProblem(
            f"{label} 中找不到填报单位（没有定义名称 {UNIT_NAME}，也没有隐藏表 {META_SHEET}，"
            "可能不是用 shuangzheng template 生成的）：请用 --unit 指定是哪个单位的报送"
        )
    return unit


# ====================================================================== the workbook


def read_workbook(
    path: Path,
    label: str,
    catalog: Catalog,
    *,
    today: dt.date,
    unit_hint: str | None = None,
    by: str | None = None,
) -> FileResult:
    """Read one returned workbook into entries, collecting every bad cell (nothing is written).

    `by` (the --by option) names the recorder of every row; otherwise a row's 填报人, else
    `default_recorder`. Raises `ShuangzhengError` for a file that cannot be read at all.
    """
    book = open_book(path, label)
    result = FileResult(label, format=book.format)
    unit = _unit(book, catalog, unit_hint)
    result.unit = unit
    meta = _meta(book)
    result.template_id = _template_id(book)
    try:
        period = (dt.date.fromisoformat(meta["period_start"]), dt.date.fromisoformat(meta["period_end"]), meta.get("period", ""))
    except (KeyError, ValueError):
        period = None
    rows = _Rows(result, catalog, unit, today, by, book.modified, period, result.template_id)
    for sheet in book.sheets:
        if sheet.name in (META_SHEET, HELP_SHEET):
            continue
        columns = _header(sheet, result)
        if sheet.hidden:
            if sheet.rows:
                kind = "深度隐藏（veryHidden）" if sheet.state == "veryHidden" else "隐藏"
                result.notices.append(
                    f"{label}!{sheet.name}: {kind}的工作表有 {len(sheet.rows)} 行内容，未读取"
                    "（如需导入，请在 Excel/WPS 中取消隐藏后重新导入）"
                )
            continue
        if columns is None:
            continue
        result.sheets.append(sheet.name)
        rows.read_sheet(sheet, columns)
    rows.finish()
    if not result.sheets:
        raise ShuangzhengError(
            f"{label} 中找不到填报表：需要一张未隐藏、表头含“日期”“活动”“进展情况”的工作表（表头不要改名）"
        )
    return result


_HEADER_ALIASES = {
    "日期": ("日期", "工作日期", "开展日期", "时间"),
    "活动": ("活动", "活动名称", "活动项目", "任务"),
    "自评颜色": ("自评颜色", "颜色", "自评", "四色"),
    "进展情况": ("进展情况", "进展", "工作进展", "工作内容"),
    "存在问题": ("存在问题", "问题"),
    "下步打算": ("下步打算", "下一步打算", "打算"),
    "数据": ("数据", "数量", "数据指标"),
    "填报人": ("填报人", "填表人", "记录人"),
}
_HEADER_LOOKUP = {alias: name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}
_PAREN = re.compile(r"[（(][^）)]*[）)]")
_ACTIVITY_FORM = re.compile(r"^第?\s*(\d+)\s*项?\s*(?:[.．、:：\s]\s*(.*))?$", re.S)


def _header_key(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value)
    text = _PAREN.sub("", text)
    text = "".join(text.split()).strip("*＊")
    return _HEADER_LOOKUP.get(text)


def _header(sheet: Sheet, result: FileResult) -> tuple[int, dict[str, int]] | None:
    """The header row of a form sheet and its columns by name, or None (not a form)."""
    for number in sorted(r for r in sheet.rows if r <= HEADER_SEARCH_ROWS):
        found: dict[str, int] = {}
        dupes = []
        for index, cell in sorted(sheet.rows[number].items()):
            key = _header_key(cell.value)
            if key is None:
                continue
            if key in found:
                dupes.append(BadCell(result.label, sheet.name, number, index, f"表头“{key}”重复（已在 {get_column_letter(found[key])}{number}）"))
            else:
                found[key] = index
        if all(k in found for k in REQUIRED):
            if not sheet.hidden:
                result.bad += dupes
            return number, found
    return None


def _some(places: list[str], shown: int = 5) -> str:
    """`A、B、C`, or `A、B、C 等 12 行` when there are more than `shown`."""
    if len(places) <= shown:
        return "、".join(places)
    return "、".join(places[:3]) + f" 等 {len(places)} 行"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Rows:
    """Turns the form rows of a workbook's sheets into entries (one instance per workbook)."""

    def __init__(self, result: FileResult, catalog: Catalog, unit: str, today: dt.date, by: str | None,
                 modified: dt.datetime | None, period: tuple[dt.date, dt.date, str] | None,
                 source: str | None = None) -> None:
        self.result, self.catalog, self.unit, self.today = result, catalog, unit, today
        self.by, self.modified, self.period, self.source = by, modified, period, source
        self.seen: set[str] = set()
        self.hidden: list[str] = []  # places of hidden rows with content
        self.outside: list[str] = []  # places of rows dated outside the template's period
        self.hints: dict[tuple[str, str], list[str]] = {}  # (metric, the target metric it may mean) → its cells

    def finish(self) -> None:
        """Turn what was set aside into notices, a few places each (a filter can hide hundreds)."""
        if self.hidden:
            self.result.notices.append(f"{_some(self.hidden)}: 隐藏的行未导入（如需导入，请取消隐藏后重新导入）")
        if self.outside and self.period is not None:
            start, end, label = self.period
            self.result.notices.append(
                f"{_some(self.outside)}: 日期不在模板的填报时段 {label}（{start} 至 {end}）内，已照常读取"
            )
        for (name, metric), places in self.hints.items():  # imported as written: a liaison may record any metric
            self.result.notices.append(f"{_some(places)}: {metric_hint(name, metric)}")

    def read_sheet(self, sheet: Sheet, header: tuple[int, dict[str, int]]) -> None:
        first, columns = header
        merged: dict[tuple[int, int], tuple[Cell, str]] = {}
        for r1, c1, r2, c2 in sheet.merges:
            if r2 <= first or (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
                continue
            ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
            top = sheet.rows.get(r1, {}).get(c1)
            for name, col in columns.items():
                if not c1 <= col <= c2:
                    continue
                if name in TEXT_COLUMNS and r2 > r1 and top is not None:
                    self.result.bad.append(BadCell(
                        self.result.label, sheet.name, r1, col,
                        f"{ref} 是跨 {r2 - r1 + 1} 行的合并单元格：{name}不能跨行合并（同一内容会记成多条），请取消合并、每行分别填写",
                    ))
                elif top is not None and (r2 > r1 or col != c1):
                    for r in range(max(r1, first + 1), r2 + 1):
                        merged[(r, col)] = (top, ref)
        numbers = sorted({r for r in sheet.rows if r > first} | {r for r, _ in merged})
        for number in numbers:
            cells = {}
            notes = {}
            for name, col in columns.items():
                cell = sheet.rows.get(number, {}).get(col)
                if (number, col) in merged:
                    cell, ref = merged[(number, col)]
                    notes[name] = f"（合并单元格 {ref}）"
                cells[name] = cell
            if all(_is_blank(getattr(cells.get(n), "value", None)) for n in CONTENT_COLUMNS if n in cells):
                continue  # a blank row (a color or a name alone is not a report)
            if number in sheet.hidden_rows:
                self.hidden.append(f"{self.result.label}!{sheet.name}!第{number}行（隐藏）")
                continue
            self._row(sheet.name, number, columns, cells, notes)

    def _row(self, sheet: str, number: int, columns: dict[str, int], cells: dict[str, Cell | None], notes: dict[str, str]) -> None:
        result, catalog = self.result, self.catalog
        result.rows += 1
        values = {name: getattr(cell, "value", None) for name, cell in cells.items()}
        bad: list[BadCell] = []

        def complain(name: str, message: str) -> None:
            bad.append(BadCell(result.label, sheet, number, columns[name], message + notes.get(name, "")))

        for name, cell in cells.items():
            if cell is not None and cell.kind == "f":
                complain(name, f"单元格含公式（{str(cell.value)[:30]}），请改为直接填写内容（复制后“选择性粘贴→数值”）")
            elif cell is not None and cell.kind == "e":
                complain(name, f"单元格是错误值 {cell.value}，请改为直接填写内容")
        if bad:
            result.bad += bad
            return

        day = _date(values.get("日期"), complain)
        if day is not None:
            for problem in reference_problems(None, None, day, catalog, self.today):
                complain("日期", problem)
        activity = _activity(values.get("活动"), catalog, complain)
        if activity is not None:
            for problem in reference_problems(self.unit, activity, None, catalog, self.today):
                complain("活动", problem)
        color = None
        if "自评颜色" in columns:
            raw = values.get("自评颜色")
            color, issue = coerce_color(None if _is_blank(raw) else _text(raw))
            if issue:
                complain("自评颜色", issue)
        texts = {}
        for name, key in (("进展情况", "text"), ("存在问题", "problems"), ("下步打算", "next")):
            texts[key] = clean_text(_text(values.get(name))) if name in columns else ""
            for problem in text_problems({key: texts[key]}, required=("text",) if key == "text" else ()):
                complain(name, problem)
        metrics = self._metrics(values.get("数据"), complain) if "数据" in columns else {}
        for problem in catalog.fraction_problems(metrics):
            complain("数据", problem)
        filled_by = clean_text(_text(values.get("填报人"))) if "填报人" in columns else ""
        if len(filled_by) > 100:
            complain("填报人", "填报人超过 100 字")
        if bad:
            result.bad += bad
            return
        assert day is not None and activity is not None
        content = row_id(self.unit, day, activity, color, texts["text"], texts["problems"], texts["next"], metrics, filled_by)
        entry_id = content if self.source is None else row_id(
            self.unit, day, activity, color, texts["text"], texts["problems"], texts["next"], metrics, filled_by, self.source
        )
        if entry_id in self.seen:  # the same row twice in one workbook (a copied sheet): recorded once
            result.repeated += 1
            return
        self.seen.add(entry_id)
        entry = Entry(
            id=entry_id, kind="progress", date=day, unit=self.unit, activity=activity,
            by=self.by or filled_by or default_recorder(catalog, self.unit),
            at=recorded_at(self.modified, day, self.today), color=color, metrics=metrics, **texts,
        )
        leftover = validate(entry, catalog, self.today)
        if leftover:  # a rule the cell checks above did not cover
            result.bad.append(BadCell(result.label, sheet, number, 0, "；".join(leftover)))
            return
        place = cell_place(result.label, sheet, number)
        if self.period is not None and not self.period[0] <= day <= self.period[1]:
            self.outside.append(f"{place}（{day}）")
        for hint in catalog.metric_hints(activity, metrics):
            self.hints.setdefault(hint, []).append(cell_place(result.label, sheet, number, columns["数据"]))
        result.entries.append(entry)
        result.places[entry.id] = place
        result.contents[entry.id] = content

    def _metrics(self, raw: Any, complain: Any) -> dict[str, float]:
        if _is_blank(raw):
            return {}
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            complain("数据", f"数据 '{_text(raw)}' 缺少名称：应写成 名称=数量，如 场次=3")
            return {}
        whole = _text(raw)
        metrics, issues = parse_metrics(whole)
        quoted = whole.strip().replace("\n", "⏎")
        for issue in issues:  # the whole cell as typed, when the item alone is not all of it
            complain("数据", issue if f"'{whole.strip()}'" in issue else f"“{quoted}”中：{issue}")
        for key in metrics:
            if len(key) > 50:
                complain("数据", f"数据名称 '{key[:20]}…' 超过 50 字")
        return metrics


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def _date(value: Any, complain: Any) -> dt.date | None:
    if _is_blank(value):
        complain("日期", "日期不能为空")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time | dt.timedelta):
        complain("日期", "这是时间而不是日期：请写成 2022-09-21")
        return None
    if isinstance(value, bool):
        complain("日期", "日期无效：请写成 2022-09-21")
        return None
    text = _text(value).strip()
    try:
        return parse_date(text)  # full-width digits folded there
    except UsageProblem:
        hint = "（看起来是 Excel 日期序号：请把单元格格式设为“日期”）" if re.fullmatch(r"4\d{4}(\.\d+)?", text) else ""
        complain("日期", f"日期 '{text}' 无效：请写成 2022-09-21 这样的真实日期{hint}")
        return None


def _activity(value: Any, catalog: Catalog, complain: Any) -> int | None:
    if _is_blank(value):
        complain("活动", "活动不能为空：请从下拉列表中选择")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    m = _ACTIVITY_FORM.match(text)
    if m:
        number = int(m[1])
        if number not in catalog.activities:
            complain("活动", f"未知活动 '{text}'：活动编号为 1–{max(catalog.activities)}")
            return None
        rest = (m[2] or "").strip()
        if rest:
            act = catalog.activities[number]
            if rest not in (catalog.short(number), act.title) and rest not in act.title:
                complain("活动", f"活动 '{text}' 的编号与名称不符：{number} 号活动是“{catalog.short(number)}”")
                return None
        return number
    try:
        return catalog.resolve_activity(text)
    except UsageProblem as exc:
        complain("活动", exc.message)
        return None
