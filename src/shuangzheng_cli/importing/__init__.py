"""Liaison templates (报送模板) and reading the workbooks liaisons return (导入)."""
