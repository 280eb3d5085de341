"""Fill msgstr entries of a .po file from a JSON dictionary {msgid: msgstr} and drop their fuzzy flags.

Usage: python scripts/fill_po.py locale/de/LC_MESSAGES/django.po translations.json
A maintenance helper for translators; Django's makemessages/compilemessages do the rest.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def fill(po_path: Path, translations: dict[str, str]) -> int:
    blocks = po_path.read_text(encoding="utf-8").split("\n\n")
    filled = 0
    out = []
    for block in blocks:
        lines = block.split("\n")
        msgid_lines, msgstr_at, state = [], None, None
        for index, line in enumerate(lines):
            if line.startswith("msgid "):
                state = "id"
                msgid_lines = [line[6:]]
            elif line.startswith("msgstr "):
                state = "str"
                msgstr_at = index
            elif line.startswith('"') and state == "id":
                msgid_lines.append(line)
        if msgstr_at is None or not msgid_lines:
            out.append(block)
            continue
        msgid = _unquote(msgid_lines)
        if msgid in translations and msgid:
            head = [line for line in lines[:msgstr_at] if not line.startswith("#| ") and line != "#, fuzzy"]
            head = [re.sub(r"^#, fuzzy, ", "#, ", line) for line in head]
            out.append("\n".join([*head, f"msgstr {_quote(translations[msgid])}"]))
            filled += 1
        else:
            out.append(block)
    po_path.write_text("\n\n".join(out), encoding="utf-8")
    return filled


if __name__ == "__main__":
    count = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    print(f"filled {count} entries")
