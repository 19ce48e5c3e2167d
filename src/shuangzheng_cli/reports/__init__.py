"""Reports the plan asks for beyond the board (方案 四): pure functions over the indexed ledger.

- `week.week_report`          周报/信息简报 (信息简报组): the week's entries, color changes, silent units.
- `halfyear.half_year_report` 半年报告 (每半年向市文明委报告一次): per unit, per activity.
- `score.score`               年度考核 (纳入精神文明建设工作年度考核内容): a 0–100 score per unit.
- `bulletin.bulletin`         通报 draft (约谈、通报): criticism, praise, next requirements.
- `remind.reminders`          催报 for the liaisons' WeChat group: per unit, what is overdue or due soon.

Each takes a `BoardIndex` (definitions + entries, voids applied) and dates, and returns
plain dataclasses with a `to_json()`; rendering (terminal, Markdown, Excel) is the render layer's.
"""

from __future__ import annotations

from .bulletin import *  # noqa: F403
from .common import *  # noqa: F403
from .halfyear import *  # noqa: F403
from .remind import Reminders, reminders  # noqa: F401
from .score import *  # noqa: F403
from .week import *  # noqa: F403
