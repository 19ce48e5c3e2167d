"""The four-color board (四色管理法, 挂图作战): definitions + entries + as-of date -> colors with reasons.

- `rules`: the color rules over a cell's facts, the indexed `Board`/`BoardIndex`, alerts, 约谈.
- `stream`: the same board streamed from the ledger files, with its cache.
- `followups`: what inspections asked for (整改、约谈、通报) and where each stands (pure functions).
"""

from __future__ import annotations

from .rules import Board, BoardIndex, CellStatus, build_board

__all__ = ["Board", "BoardIndex", "CellStatus", "build_board"]
