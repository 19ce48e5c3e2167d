"""Renderers: one per format (terminal tables, Markdown, JSON/CSV, workbooks), shared by every command."""
