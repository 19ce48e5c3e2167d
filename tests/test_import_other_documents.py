"""A document that is not a workbook, sent to `import` by mistake (a 通报 in Word, slides, an .ods),
is named for what it is, before anything asks for a unit; nothing is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from test_excel_template_import import pristine, snapshot, workspace  # noqa: F401


def _word(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("关于市委宣传部“双争”活动进展情况的通报")
    document.save(str(path))


def _zip(members: dict[str, bytes]):  # noqa: ANN202
    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)

    return write


@pytest.mark.parametrize(
    ("name", "make", "said"),
    [
        ("通报.docx", _word, "是 Word 文档，不是 Excel 工作簿"),
        ("汇报.pptx", _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}), "是 PowerPoint 演示文稿"),
        ("台账.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<c/>"}), "另存为 .xlsx"),
        ("打包.xlsx", _zip({"[Content_Types].xml": b"<Types/>", "说明.txt": "报送材料".encode()}), "是 zip 压缩包，但不是 .xlsx 工作簿"),
    ],
    ids=["docx", "pptx", "ods", "zip"],
)
def test_another_document_is_named_for_what_it_is(workspace: Path, cli, tmp_path: Path, name: str, make, said: str) -> None:  # noqa: ANN001, F811
    path = tmp_path / name
    make(path)
    result = cli("--root", workspace, "import", path)
    assert result.code == 1, result.err
    assert said in result.err and name in result.err
    assert "--unit" not in result.err and "_meta" not in result.err
    assert snapshot(workspace) == {}
