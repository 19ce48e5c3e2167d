"""Read a YAML definition file safely and map any problem back to `file:line`.

PyYAML's errors are English and pydantic's carry no line numbers: this module turns
both into `Problem`s with the line of the offending node (from `yaml.compose`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem
from ..ledger.format import CONFLICT_PREFIXES

try:  # the C loader is ~10× faster; both are safe loaders
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]


class DefinitionLoader(SafeLoader):  # type: ignore[misc,valid-type]
    """A safe loader with YAML 1.2 scalars, to avoid PyYAML's 1.1 traps.

    Dates stay text, so the schema reads them as the command line does (`periods.parse_date`:
    2022-09-01, 2022/9/1, 2022年9月1日) and a bad one (`2022-09-31`) is reported with its line
    instead of crashing the constructor; only true/false are booleans,
    so `no`, `yes`, `on`, `off` stay the words that were written.
    """


class DuplicateKey(yaml.YAMLError):
    """A key written twice in one mapping (PyYAML would keep the last without a word)."""

    def __init__(self, key: str, first: int, second: int):
        super().__init__(key, first, second)
        self.key, self.first, self.second = key, first, second


def _construct_mapping(loader: SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` merges; its keys may be overridden
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node.start_mark.line + 1)
        except TypeError:  # an unhashable key: the constructor reports it
            continue
        if first != key_node.start_mark.line + 1:
            raise DuplicateKey(str(key), first, key_node.start_mark.line + 1)
    return SafeLoader.construct_mapping(loader, node, deep=deep)


DefinitionLoader.construct_mapping = _construct_mapping  # type: ignore[method-assign]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
DefinitionLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_TIMESTAMP, _BOOL)]
    for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()
}
DefinitionLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[^\s'\"#：:][^'\"#：:]*：")
#: Spaces that look like spaces but are not YAML indentation, and what to call them.
_ODD_SPACES = {
    "\u3000": "全角空格（U+3000）",
    "\u00a0": "不换行空格（U+00A0，常随网页或 Word 中的文字复制而来）",
}
#: The leading blanks of a line, any kind; and what follows them when the line is structure.
_LEADING = re.compile(r"^[ \t\u3000\u00a0]*")
_CONFLICT_MARKERS = tuple(m.decode() for m in CONFLICT_PREFIXES)
_STRUCTURE = re.compile(r"^(?:-(?:\s|$)|#|[^\s'\"#：:][^'\"#：:]*[:：](?:\s|$))")


#: Sane limits for a hand-edited definition file (today's files: ~30 KB, names under 30 characters).
MAX_FILE_BYTES = 16 << 20
MAX_NAME = 100  # a unit's or group's name or alias, an id
MAX_TEXT = 2000  # any other text (titles, sub-items, duties)
MAX_ITEMS = 2000  # any list (units, aliases, sub-items)
MAX_NUMBER = 1e9  # any number (targets, weights)
MAX_DAYS = 3660  # any `…days` or `…weeks` setting: ten years
_NAME_KEYS = {"name", "id", "short", "short_name"}
#: Keys whose value is text: a number there (an unquoted phone number) is the schema's to name, not out of range.
TEXT_KEYS = {*_NAME_KEYS, "phone", "note", "aliases", "members"}
#: Characters that must not be in a definition: C0/C1 controls (but tab and newline), DEL,
#: and the bidirectional overrides and isolates that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def limit_problems(doc: YamlDocument) -> list[Problem]:
    """Every value of `doc` past a sane limit (length, count, size) or holding a control or
    bidi character, at its line. Checked before the schema, so nothing huge reaches a table."""
    problems: list[Problem] = []

    def walk(value: Any, loc: tuple[Any, ...], key: str) -> None:
        if isinstance(value, str):
            limit = MAX_NAME if key in _NAME_KEYS or key == "aliases" or key == "members" else MAX_TEXT
            if len(value) > limit:
                problems.append(doc.problem(loc, f"文字过长（{len(value)} 字）：此处最多 {limit} 字"))
            bad = _CONTROL.search(value)
            if bad:
                code = f"U+{ord(bad.group()):04X}"
                what = "双向文字控制符" if "\u202a" <= bad.group() <= "\u2069" else "控制字符"
                problems.append(doc.problem(loc, f"含有{what} {code}（第 {bad.start() + 1} 个字符）：请删除，它会扰乱终端与文档的显示"))
        elif isinstance(value, bool):
            return
        elif isinstance(value, int | float):
            if key in TEXT_KEYS:  # a number where text belongs (an unquoted phone number): the schema says so
                return
            days = key.endswith(("days", "weeks"))
            limit = MAX_DAYS if days else MAX_NUMBER
            if value != value or abs(value) > limit:  # NaN, infinity, or too large
                problems.append(doc.problem(loc, f"{key} 的值 {value} 超出范围：绝对值最大 {int(limit)}"))
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                problems.append(doc.problem(loc, f"列表过长（{len(value)} 项）：最多 {MAX_ITEMS} 项"))
                return
            for i, item in enumerate(value):
                walk(item, (*loc, i), key)
        elif isinstance(value, dict):
            if len(value) > MAX_ITEMS:
                problems.append(doc.problem(loc, f"项目过多（{len(value)} 个）：最多 {MAX_ITEMS} 个"))
                return
            for k, item in value.items():
                if isinstance(k, str):
                    walk(k, (*loc, k), "name")
                walk(item, (*loc, k), str(k))

    walk(doc.data, (), "")
    return problems


def decode_text(data: bytes, label: str) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without BOM, LF or CRLF) → text; otherwise the line of the first bad byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem(label, line, "不是 UTF-8 编码（请用 UTF-8 保存文件）")
    return text.replace("\r\n", "\n"), None


class YamlDocument:
    """A parsed YAML file: its data, and lines for any path of keys inside it."""

    def __init__(self, label: str, text: str, data: Any):
        self.label = label
        self.text = text
        self.data = data
        self._root: yaml.Node | None = None

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """The 1-based line of the node at `loc` (keys and indexes), or of its nearest parent."""
        if self._root is None:
            self._root = yaml.compose(self.text, Loader=DefinitionLoader)
        node = self._root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == str(part):
                        line = key.start_mark.line + 1
                        node = value
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def problem(self, loc: tuple[Any, ...], message: str) -> Problem:
        return Problem(self.label, self.line_of(loc), message)


def load_yaml(path: Path, label: str, raw: bytes | None = None) -> tuple[YamlDocument | None, list[Problem]]:
    """Load one YAML file (`raw`: its bytes, already read); on failure, the problems with their lines (nothing raised)."""
    try:
        raw = path.read_bytes() if raw is None else raw
    except FileNotFoundError:
        return None, [Problem(label, 0, "文件不存在")]
    except OSError as exc:
        return None, [Problem(label, 0, f"无法读取：{exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(label, 0, f"文件过大（{len(raw) / (1 << 20):.1f} MB）：定义文件最大 {MAX_FILE_BYTES >> 20} MB")]
    text, problem = decode_text(raw, label)
    if problem:
        return None, [problem]
    assert text is not None
    conflict = _conflict_marker(label, text)
    if conflict:
        return None, [conflict]
    odd = _odd_indentation(label, text)
    if odd:
        return None, odd
    try:
        data = yaml.load(text, Loader=DefinitionLoader)  # noqa: S506 - a safe loader
    except DuplicateKey as exc:
        return None, [Problem(label, exc.second, f"键 '{exc.key}' 重复（第 {exc.first} 行已有）：YAML 只会保留后一个，请合并成一个")]
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(label, text, exc)]
    except (ValueError, TypeError, OverflowError) as exc:  # an explicit tag (`!!timestamp`) with a bad value
        return None, [Problem(label, 0, f"YAML 内容无法读取：{exc}")]
    return YamlDocument(label, text, data), []


def _conflict_marker(label: str, text: str) -> Problem | None:
    """The first line a `git merge` left as a conflict marker (YAML would name a later line, as a
    missing colon), with what to do."""
    for number, line in enumerate(text.split("\n"), 1):
        marker = next((m for m in _CONFLICT_MARKERS if line.startswith(m)), None)
        if marker is not None:
            return Problem(
                label, number,
                f"有未解决的 git 合并冲突标记（这一行以 {marker} 开头）：用记事本打开，在两边的内容中保留正确的一份，"
                "删去以 <<<<<<<、=======、>>>>>>>（以及 |||||||）开头的标记行，保存后运行 shuangzheng check",
            )
    return None


def _odd_indentation(label: str, text: str) -> list[Problem]:
    """Lines of structure (a key, a list item) indented with a full-width or non-breaking space:
    named at their own line (PyYAML would report the next one, as a mapping error)."""
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        lead = _LEADING.match(line)
        blanks = lead.group() if lead else ""
        odd = next((ch for ch in blanks if ch in _ODD_SPACES), None)
        if odd and _STRUCTURE.match(line[len(blanks) :]):
            column = blanks.index(odd) + 1
            problems.append(
                Problem(label, number, f"第 {column} 个字符是{_ODD_SPACES[odd]}，YAML 的缩进只能用半角空格，请替换")
            )
    return problems


def _yaml_problem(label: str, text: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    lines = text.split("\n")
    # A full-width colon after a key makes a scanner error whose mark points at a later line:
    # look back from the mark for the line that has it.
    for candidate in range(min(line, len(lines)), max(line - 4, 0), -1):
        if _FULLWIDTH_KEY.match(lines[candidate - 1]):
            return Problem(label, candidate, "键后用了全角冒号“：”，请改为半角冒号“:”并在其后加一个空格")
    for candidate in range(min(line, len(lines)), max(line - 2, 0), -1):
        if re.match(r"^ *\t", lines[candidate - 1]):
            return Problem(label, candidate, "YAML 不能用制表符（Tab）缩进，请改用空格")
    for candidate in range(min(line, len(lines)), max(line - 3, 0), -1):
        blanks = _LEADING.match(lines[candidate - 1])
        odd = next((ch for ch in (blanks.group() if blanks else "") if ch in _ODD_SPACES), None)
        if odd:
            return Problem(label, candidate, f"行首有{_ODD_SPACES[odd]}，YAML 的缩进只能用半角空格，请替换")
    context = getattr(exc, "context", None) or ""
    opened = getattr(exc, "context_mark", None)
    if opened is not None and context in _OPENED:
        # An unclosed bracket or quote is found only where the next token is: name the opening line.
        return Problem(label, opened.line + 1, f"YAML 格式错误：{_OPENED[context]}")
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(label, line, f"YAML 格式错误：{_translate(reason)}")


_OPENED = {
    "while parsing a flow sequence": "方括号“[”没有对应的“]”，或列表项之间缺少逗号",
    "while parsing a flow mapping": "花括号“{”没有对应的“}”，或项之间缺少逗号",
    "while scanning a quoted scalar": "引号没有闭合",
}


_YAML_REASONS = {
    "mapping values are not allowed here": "此处不能出现“键: 值”（可能缺少引号或缩进不对）",
    "mapping values are not allowed in this context": "此处不能出现“键: 值”（文字中有“: ”时请用单引号括起来）",
    "could not find expected ':'": "找不到应有的冒号“:”",
    "found character '\\t' that cannot start any token": "出现了制表符（Tab），请改用空格",
    "did not find expected key": "缩进不一致，找不到应有的键",
    "did not find expected '-' indicator": "列表项缩进不一致",
    "found undefined alias": "引用了未定义的锚点",
    "found duplicate anchor": "锚点重复",
    "expected <block end>, but found '-'": "列表项缩进不对",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合？）",
    "did not find expected ',' or ']'": "列表缺少逗号或“]”",
    "did not find expected ',' or '}'": "映射缺少逗号或“}”",
    "found character that cannot start any token": "出现了不能作为开头的字符（如 @ 或 `），请用引号括起来",
}


def _translate(reason: str) -> str:
    for english, chinese in _YAML_REASONS.items():
        if reason.startswith(english):
            return chinese
    return reason
