"""Renderers: one per format, shared by every command and by the Python API.

- `text`: how data reads as text in every format (colors, labels) and `plain`, the one rule
  that turns a data string into text that cannot control a terminal.
- `tables`: every report and listing laid out once, as `Block`s and rows under `Column`s.
- `terminal`: rich tables, blocks and the battle map; GBK consoles (`prepare_streams`, ASCII folding).
- `markdown`: tables, blocks, the board, the half-year report and the bulletin as Markdown.
- `data`: JSON, and CSV safe for Excel/WPS.
- `xlsx`: what every workbook shares; `weekly`: the weekly workbook; `report_xlsx`: half-year and score.
"""
