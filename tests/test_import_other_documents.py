"""A document that is not a workbook, sent to `import` by mistake (a 通报 in Word, slides, an .ods),
is named for what it is, before anything asks for a unit; nothing is written."""

from __future__ import annotations

import struct
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


def _compound_file(stream: str) -> bytes:
    """The smallest OLE compound file (the container of .doc, .xls and .ppt) holding one empty
    stream named `stream`: a header, one FAT sector and one directory sector (CFB version 3)."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("d0cf11e0a1b11ae1"), b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6,
        0, 1, 1, 0, 4096, end, 0, end, 0,
    ) + struct.pack("<109I", 0, *[free] * 108)
    fat = struct.pack("<128I", fat_sector, end, *[free] * 126)

    def entry(name: str, kind: int, child: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return struct.pack("<64sHBBIII16sIQQII", raw, len(raw), kind, 1, free, free, child, b"\0" * 16, 0, 0, 0, end, 0) + b"\0" * 4

    directory = entry("Root Entry", 5, 1) + entry(stream, 2, free) + b"\0" * 256
    return header + fat + directory


@pytest.mark.parametrize(("stream", "said"), [("WordDocument", "是 Word 文档（.doc）"), ("PowerPoint Document", "是 PowerPoint 演示文稿（.ppt）")])
def test_an_old_office_document_is_named_for_what_it_is(workspace: Path, cli, tmp_path: Path, stream: str, said: str) -> None:  # noqa: ANN001, F811
    path = tmp_path / "通报.doc"
    path.write_bytes(_compound_file(stream))
    result = cli("--root", workspace, "import", path)
    assert result.code == 1, result.err
    assert f"{path} {said}，不是 Excel 工作簿" in result.err
    assert snapshot(workspace) == {}
