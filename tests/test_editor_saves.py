"""A ledger file saved by an editor after `add` (Notepad or WPS on Windows): a byte order mark put
at its start is no change (readers never see it), so the commit check and the shared repository
accept it; line endings turned into CRLF are named as such, with what to do, and refused."""

from __future__ import annotations

from pathlib import Path

from test_git_merge import _isolated_git, git, identify  # noqa: F401 - the fixture isolates git config
from test_merge_repeats import commit

BOM = b"\xef\xbb\xbf"
XCB = "ledgers/2022/xcb.jsonl"


def _office(tmp_path: Path, cli) -> Path:  # noqa: ANN001
    root = tmp_path / "office"
    assert cli("init", root).code == 0
    identify(root, "办公室")
    for text in ("第一条", "第二条"):
        assert cli("--root", root, "add", "-u", "xcb", "-a", "1", "-t", text, "--date", "2022-11-28").code == 0
    commit(root, "两条")
    return root


def test_a_bom_an_editor_added_is_committed_and_read(tmp_path: Path, cli) -> None:  # noqa: ANN001
    root = _office(tmp_path, cli)
    path = root / XCB
    path.write_bytes(BOM + path.read_bytes())
    assert cli("--root", root, "add", "-u", "xcb", "-a", "1", "-t", "第三条", "--date", "2022-11-29").code == 0
    done = commit(root, "第三条", ok=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert cli("--root", root, "check", "--since", "HEAD~1").code == 0
    assert path.read_bytes().startswith(BOM) and path.read_bytes().count(b"\n") == 3


def test_crlf_line_endings_are_named_and_refused(tmp_path: Path, cli) -> None:  # noqa: ANN001
    root = _office(tmp_path, cli)
    path = root / XCB
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    done = commit(root, "换行", ok=False)
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert f"{XCB}:1: 换行符被改成了 Windows 的 CRLF" in said and "改回 LF" in said
    assert "已有记录被修改" not in said
    assert "git restore" not in said  # restoring the file would also drop lines added since
