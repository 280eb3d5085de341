"""A tiny reader for gettext .po files (polib is not a dependency): enough to check catalogs in tests."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)
    msgctxt: str | None = None
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, key, started
        if started:
            entries.append(entry)
        entry, key, started = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            if started:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#:"):
            if started:
                finish()
            entry.references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword == "msgctxt":
                if started and entry.msgid:
                    finish()
                key = ("msgctxt", 0)
                entry.msgctxt = ""
            elif keyword == "msgid":
                if started and (entry.msgstr or entry.msgid):
                    finish()
                key = ("msgid", 0)
            elif keyword == "msgid_plural":
                key = ("msgid_plural", 0)
            elif keyword == "msgstr":
                key = ("msgstr", 0)
            elif keyword.startswith("msgstr["):
                key = ("msgstr", int(keyword[7:-1]))
            else:
                raise ValueError(f"{path}: cannot read line {raw!r}")
            started = True
        if key is None:
            raise ValueError(f"{path}: text before a keyword: {raw!r}")
        name, index = key
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        elif name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        else:
            setattr(entry, name, getattr(entry, name) + value)
    finish()
    return [e for e in entries if not e.obsolete]
