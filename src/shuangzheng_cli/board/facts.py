"""The one fact accumulator: what each accepted ledger line contributes to its (activity, unit) cell.

`Tally` keeps, per cell, only what the four-color rules ask about (`rules.CellFacts`): the
latest progress (by (date, at, id)), the self-assessed color last stated (a progress entry
without a color leaves it standing), the latest inspection, each applicable target's metric
summed over its window up to the as-of date, and the inspections that asked for something
(整改、约谈、通报) with the `followup` entries about them (`followups.cases`). It is the sink of
the one reader (`ledger.reader.Scan`) for the streamed board, and the indexed board
(`rules.BoardIndex`) feeds it a cell's entries too, so a new fact (a follow-up kind, a rule
input) is added here once. Days are compared as given: ISO strings from the reader, `date`s
from `BoardIndex` (both order the same way).

Tallies merge (`merge`): the facts of a cell over several files are the merge of each file's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..ledger.format import Entry, followup_asks

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog, Cell
    from .rules import Board, CellFacts

# a cell's slot: [progress key, color last stated, inspection key, (day, color, method, followup), sums,
#                  key of the progress that stated the color, [records of asking inspections and followups],
#                  the targets' windows (not facts: from the catalog, never saved or merged)]
# sums: per target of the activity, [integer total, [float values]] (summed exactly at the end)
P_KEY, P_COLOR, I_KEY, I_INFO, SUMS, S_KEY, CASES, WINDOWS = range(8)
FACTS = 7  # the slot's entries that are facts (`merge`, the board's cache)
#: what `followups.cases` reads of an inspection or a `followup` entry (kept instead of the whole line)
_CASE_KEYS = ("id", "kind", "date", "unit", "activity", "at", "method", "color", "followup", "due", "ref", "result")


class Tally:
    """Per cell: the facts the rules need, accumulated line by line (see the module).

    `windows[(activity, unit)]`: (target index, metric, first day, last day counted) for each
    target that applies to the cell, as of `as_of`; days as strings (`text_days`) or dates.
    """

    def __init__(self, catalog: Catalog, cells: Sequence[Cell], as_of: dt.date, text_days: bool = True):
        from .rules import applies, target_window

        self.as_of = as_of
        self.rectify_days = catalog.rules.rectify_days
        self.upto: Any = as_of.isoformat() if text_days else as_of
        self.cells = list(cells)
        self.slots: dict[tuple[int, str], list[Any]] = {}
        self.windows: dict[tuple[int, str], tuple[tuple[int, str, Any, Any], ...]] = {}
        for cell in self.cells:
            key = (cell.activity, cell.unit)
            targets = catalog.activities[cell.activity].targets if cell.activity in catalog.activities else []
            wins = []
            for i, target in enumerate(targets):
                if applies(catalog, target, cell.activity, cell.unit):
                    first, last = target_window(catalog, target, as_of)
                    last = min(as_of, last)
                    wins.append((i, target.metric, first.isoformat() if text_days else first, last.isoformat() if text_days else last))
            self.windows[key] = tuple(wins)
            self.slots[key] = [None, None, None, None, [[0, []] for _ in targets], None, [], self.windows[key]]

    # -- one line

    def take(self, obj: Any, index: int, number: int, voided: bool) -> None:  # noqa: ANN401
        """The reader's sink: an accepted line (`fastcheck.Line`, days as ISO strings), or an `Entry`
        (days as dates: a tally made with `text_days=False`). The one place a line becomes facts:
        the latest progress and the color last stated, its metrics in the targets' windows, the
        latest inspection's verdict, and the cases of follow-up (`case`)."""
        kind = obj.kind
        if voided or kind == "void":
            return
        if kind == "followup":
            self.case(obj.activity, obj.unit, obj.date, _case_record(obj), index, number)
            return
        slot = self.slots.get((obj.activity, obj.unit))
        day = obj.date
        if slot is None or day > self.upto:
            return
        key = (day, obj.at, obj.id)
        if kind == "progress":
            if slot[P_KEY] is None or key > slot[P_KEY]:
                slot[P_KEY] = key
            color = obj.color
            if color is not None and (slot[S_KEY] is None or key > slot[S_KEY]):
                slot[S_KEY] = key
                slot[P_COLOR] = color
            metrics = obj.metrics
            if metrics:
                for i, metric, first, last in slot[WINDOWS]:
                    if first <= day <= last and metric in metrics:
                        value = metrics[metric]
                        acc = slot[SUMS][i]
                        if type(value) is int:
                            acc[0] += value
                        else:
                            acc[1].append(value)
        elif kind == "inspection":
            if slot[I_KEY] is None or key > slot[I_KEY]:
                slot[I_KEY] = key
                slot[I_INFO] = (day, obj.color, obj.method, obj.followup)
            if followup_asks(obj.followup):
                self.case(obj.activity, obj.unit, day, _case_record(obj), index, number)

    def reject(self, places: set[tuple[int, int]]) -> None:
        """Take back lines the reader found wrong after its pass (a follow-up whose inspection does not fit)."""
        for slot in self.slots.values():
            if slot[CASES]:
                slot[CASES] = [c for c in slot[CASES] if (c[0], c[1]) not in places]

    def entry(self, e: Entry) -> None:
        """An `Entry` (days as dates: a tally made with `text_days=False`): as `take`."""
        self.take(e, -1, -1, False)

    def case(self, activity: int, unit: str, day: Any, record: dict, index: int = -1, number: int = -1) -> None:
        """An inspection that asks for something, or a `followup` entry (its JSON object): what
        `followups.cases` reads of it, with its place in the reading."""
        slot = self.slots.get((activity, unit))
        if slot is not None and day <= self.upto:
            slim = {key: record[key] for key in _CASE_KEYS if key in record}  # no text: memory stays small
            slot[CASES].append([index, number, slim])

    # -- combining and answering

    def merge(self, slots: dict[tuple[int, str], list[Any]]) -> None:
        """Add another tally's slots (of the same cells, as of the same day) to these."""
        for key, other in slots.items():  # another's slots, or `FACTS` entries of each as saved
            slot = self.slots.get(key)
            if slot is None:
                continue
            if other[P_KEY] is not None and (slot[P_KEY] is None or tuple(other[P_KEY]) > slot[P_KEY]):
                slot[P_KEY] = tuple(other[P_KEY])
            if other[S_KEY] is not None and (slot[S_KEY] is None or tuple(other[S_KEY]) > slot[S_KEY]):
                slot[S_KEY], slot[P_COLOR] = tuple(other[S_KEY]), other[P_COLOR]
            slot[CASES] += other[CASES]
            if other[I_KEY] is not None and (slot[I_KEY] is None or tuple(other[I_KEY]) > slot[I_KEY]):
                slot[I_KEY], slot[I_INFO] = tuple(other[I_KEY]), tuple(other[I_INFO])
            for acc, add in zip(slot[SUMS], other[SUMS], strict=True):
                acc[0] += add[0]
                acc[1] += add[1]

    def facts(self, activity: int, unit: str) -> CellFacts:
        from .followups import cases
        from .rules import CellFacts

        p_key, p_color, i_key, info, sums, _s_key, asked = self.slots[(activity, unit)][:FACTS]
        day = _day
        found = ()
        if asked:
            entries = sorted((Entry.from_record(r) for _, _, r in asked), key=lambda e: e.sort_key)
            found = tuple(cases(entries, entries, self.as_of, self.rectify_days))
        return CellFacts(
            (day(p_key[0]), p_color) if p_key else None,
            (day(info[0]), *info[1:]) if i_key else None,
            tuple(math.fsum([total, *rest]) for total, rest in sums),
            found,
        )

    def board(self, catalog: Catalog) -> Board:
        from .rules import Board, status_from_facts

        return Board(
            self.as_of,
            tuple(
                status_from_facts(catalog, c.activity, c.unit, self.as_of, self.facts(c.activity, c.unit)) for c in self.cells
            ),
        )


def _case_record(obj: Any) -> dict:  # noqa: ANN401
    """What `followups.cases` reads of a line or an `Entry` (`_CASE_KEYS`), as its JSON object gives it."""
    if isinstance(obj, Entry):
        return {key: value for key, value in obj.to_record().items() if key in _CASE_KEYS}
    return {key: getattr(obj, key) for key in _CASE_KEYS if hasattr(obj, key)}


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def tally_entries(catalog: Catalog, cells: Sequence[Cell], as_of: dt.date, entries: Iterable[Entry]) -> Tally:
    """A tally (days as dates) of entries already known to count."""
    tally = Tally(catalog, cells, as_of, text_days=False)
    for e in entries:
        tally.entry(e)
    return tally
