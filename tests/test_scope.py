"""Write scope of a liaison's clone (`git config shuangzheng.units`), with real git: its own units
are written, any other is refused with nothing written, and a hand-copied file of another unit
is refused at commit by the pre-commit check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_git_merge import _isolated_git, git, identify  # noqa: F401 - the fixture isolates git config

from shuangzheng_cli.ledger.format import Entry
from shuangzheng_cli.ledger.storage import Ledger


@pytest.fixture
def liaison(workspace: Path) -> Path:
    """The initialized workspace, committed, with the scope of 宣传部 (by id) and 组织部 (by name)."""
    identify(workspace, "联络员")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "--allow-empty", "-m", "工作区")  # init may have committed already
    git(workspace, "config", "shuangzheng.units", "xcb 市委组织部")
    return workspace


def test_own_units_are_written_and_another_is_refused(liaison: Path, cli) -> None:
    r = cli("--root", liaison, "add", "-u", "xcb", "-a", "1", "-t", "宣传部的进展", "--date", "2022-11-01")
    assert r.code == 0, r.err
    r = cli("--root", liaison, "add", "-u", "组织部", "-a", "1", "-t", "组织部的进展", "--date", "2022-11-01")
    assert r.code == 0, r.err
    r = cli("--root", liaison, "add", "-u", "wxb", "-a", "3", "-t", "网信办的进展", "--date", "2022-11-01")
    assert r.code == 2
    assert "本克隆只填报 市委宣传部（xcb）、市委组织部（zzb） 的台账" in r.err
    assert "不能写 市委网信办（wxb） 的台账" in r.err
    assert not (liaison / "ledgers/2022/wxb.jsonl").exists()
    r = cli("--root", liaison, "inspect", "-u", "wxb", "-a", "3", "--method", "抽查", "-c", "red", "-t", "发现问题")
    assert r.code == 2 and "不能写 市委网信办（wxb）" in r.err
    git(liaison, "add", "-A")
    git(liaison, "commit", "-q", "-m", "本单位的进展")  # the pre-commit check passes its own units


def test_a_void_of_another_units_entry_is_refused(liaison: Path, cli) -> None:
    git(liaison, "config", "--unset", "shuangzheng.units")  # the office's clone writes anything
    r = cli("--root", liaison, "add", "-u", "wxb", "-a", "3", "-t", "网信办的进展", "--date", "2022-11-01")
    assert r.code == 0, r.err
    entry_id = r.out.split()[1].split("（")[0]
    before = (liaison / "ledgers/2022/wxb.jsonl").read_bytes()
    git(liaison, "config", "shuangzheng.units", "xcb")
    r = cli("--root", liaison, "void", entry_id, "--reason", "错了")
    assert r.code == 2 and "不能写 市委网信办（wxb）" in r.err
    assert (liaison / "ledgers/2022/wxb.jsonl").read_bytes() == before


def test_every_writing_path_goes_through_the_scope(liaison: Path) -> None:
    """`Ledger.append` is what add, inspect, void, followup and import all call."""
    ledger = Ledger(liaison)
    mine = Entry.from_record(_record("aaaaaaaaaa", "xcb"), "", 0)
    theirs = Entry.from_record(_record("bbbbbbbbbb", "wxb"), "", 0)
    with pytest.raises(Exception, match="不能写 市委网信办（wxb）") as caught:
        ledger.append([mine, theirs])
    assert caught.value.code == 2
    assert not (liaison / "ledgers/2022/xcb.jsonl").exists()  # all or nothing


def test_a_hand_copied_file_of_another_unit_is_refused_at_commit(liaison: Path, tmp_path: Path, cli) -> None:
    commits = git(liaison, "rev-list", "--count", "HEAD").stdout.strip()
    office = tmp_path / "office"
    shutil.copytree(liaison, office, symlinks=True)
    git(office, "config", "--unset", "shuangzheng.units")
    assert cli("--root", office, "add", "-u", "wxb", "-a", "3", "-t", "别处的记录", "--date", "2022-11-01").code == 0
    (liaison / "ledgers/2022").mkdir(parents=True)
    shutil.copyfile(office / "ledgers/2022/wxb.jsonl", liaison / "ledgers/2022/wxb.jsonl")
    git(liaison, "add", "-A")
    r = git(liaison, "commit", "-q", "-m", "抄来的", ok=False)
    assert r.returncode != 0
    said = r.stdout + r.stderr
    assert "ledgers/2022/wxb.jsonl: 不是本克隆填报的单位（git config shuangzheng.units = 市委宣传部（xcb）、市委组织部（zzb））" in said
    assert git(liaison, "rev-list", "--count", "HEAD").stdout.strip() == commits  # nothing committed


def test_an_unknown_unit_in_the_setting_is_named(liaison: Path, cli) -> None:
    git(liaison, "config", "shuangzheng.units", "xcb 宣传布")
    r = cli("--root", liaison, "add", "-u", "xcb", "-a", "1", "-t", "进展", "--date", "2022-11-01")
    assert r.code == 2 and "git config shuangzheng.units 中的 未知单位 '宣传布'" in r.err


def _record(entry_id: str, unit: str) -> dict:
    return {
        "v": 1,
        "id": entry_id,
        "kind": "progress",
        "date": "2022-11-01",
        "unit": unit,
        "activity": 1 if unit == "xcb" else 3,
        "by": "测试员",
        "at": "2022-11-01T10:00:00+08:00",
        "color": None,
        "text": "进展",
        "problems": "",
        "next": "",
        "metrics": {},
        "evidence": [],
    }
