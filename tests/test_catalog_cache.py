"""The catalog cache (`.shuangzheng-cache/catalog.json`) can never change an answer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shuangzheng_cli.definitions.catalog import CACHE_DIR, CACHE_FILE, Catalog
from shuangzheng_cli.definitions.frozen import Plain, decode, dump, encode
from shuangzheng_cli.errors import DefinitionError
from shuangzheng_cli.workspace import bundled_data_dir


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(bundled_data_dir() / "data", root / "data")
    (root / "ledgers").mkdir()
    return root


def _same(a: Catalog, b: Catalog) -> None:
    assert a._plain == b._plain
    assert a.cells == b.cells and a.listed == b.listed and a._names == b._names
    assert a.reporting_pairs == b.reporting_pairs and a.start == b.start


def test_a_cached_catalog_equals_the_validated_one(ws: Path) -> None:
    fresh = Catalog.load(ws, cache=False)
    first = Catalog.load(ws)  # validates, writes the cache
    assert (ws / CACHE_DIR / CACHE_FILE).is_file()
    cached = Catalog.load(ws)  # read back
    _same(fresh, first)
    _same(fresh, cached)
    assert isinstance(cached.activities[1], Plain) and cached.source == ws
    assert [dump(t, exclude_none=True) for a in cached.activities.values() for t in a.targets] == [
        t.model_dump(mode="json", exclude_none=True)
        for a in _validated(ws)[0].activities for t in a.targets
    ]


def _validated(ws: Path):  # noqa: ANN202
    from shuangzheng_cli.definitions.catalog import _validate

    return _validate(ws, {n: (ws / n).read_bytes() for n in ("data/activities.yaml", "data/units.yaml")})


def test_the_cache_is_not_needed_to_answer(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Catalog.load(ws)
    import shuangzheng_cli.definitions.catalog as catalog_module

    monkeypatch.setattr(catalog_module, "_validate", lambda *a: pytest.fail("validated despite the cache"))
    Catalog.load(ws)


@pytest.mark.parametrize("damage", [b"", b"{", b"[]", b'{"key": 1}', b"\xff\xfe", None])
def test_a_damaged_cache_is_ignored_and_rewritten(ws: Path, damage: bytes | None) -> None:
    truth = Catalog.load(ws, cache=False)
    Catalog.load(ws)
    path = ws / CACHE_DIR / CACHE_FILE
    if damage is None:  # the right key, a tree that is not ours
        data = json.loads(path.read_bytes())
        data["units"] = ["Q", 1]
        damage = json.dumps(data).encode()
    path.write_bytes(damage)
    _same(truth, Catalog.load(ws))
    assert json.loads(path.read_bytes())["key"]  # rewritten whole
    _same(truth, Catalog.load(ws))


def test_a_changed_definition_is_read_not_the_cache(ws: Path) -> None:
    Catalog.load(ws)
    units = ws / "data/units.yaml"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("    name: 市委宣传部\n    aliases: []", "    name: 市委宣传部\n    aliases: [宣传口]", 1), encoding="utf-8")
    assert Catalog.load(ws).resolve_unit("宣传口") == "xcb"
    assert Catalog.load(ws).units["xcb"].aliases == ["宣传口"]


def test_a_broken_definition_is_reported_with_a_cache_present(ws: Path) -> None:
    Catalog.load(ws)
    acts = ws / "data/activities.yaml"
    acts.write_text(acts.read_text(encoding="utf-8") + "\nbogus: [\n", encoding="utf-8")
    with pytest.raises(DefinitionError):
        Catalog.load(ws)


def test_a_read_only_cache_folder_is_fine(ws: Path) -> None:
    (ws / CACHE_DIR).write_bytes(b"not a folder")
    _same(Catalog.load(ws, cache=False), Catalog.load(ws))


def test_no_cache_outside_a_workspace(tmp_path: Path) -> None:
    root = tmp_path / "defs"
    shutil.copytree(bundled_data_dir() / "data", root / "data")
    Catalog.load(root)
    assert not (root / CACHE_DIR).exists()


def test_the_cache_json_round_trips_every_value() -> None:
    import datetime as dt

    tree = Plain("X", {"a": [1, 2.5, None, True, "s"], "d": {"k": dt.date(2022, 9, 1), "P": ["L", 1]},
                       "t": dt.datetime(2022, 9, 1, 8), "inf": float("inf"), "n": Plain("Y", {"z": []})})
    assert decode(json.loads(json.dumps(encode(tree)))) == tree


def test_the_static_record_keys_are_the_record_models_fields() -> None:
    from shuangzheng_cli.ledger.format import RECORD_KEYS
    from shuangzheng_cli.ledger.schema import (
        FollowupRecord,
        InspectionRecord,
        ProgressRecord,
        VoidRecord,
    )

    assert {"progress": list(ProgressRecord.model_fields), "inspection": list(InspectionRecord.model_fields),
            "followup": list(FollowupRecord.model_fields), "void": list(VoidRecord.model_fields)} == RECORD_KEYS
