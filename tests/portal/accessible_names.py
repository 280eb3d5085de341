"""The links and buttons of a page's list items and the names a screen reader gives them (tests only).

Reads rendered HTML with html.parser: each ``<li>`` whose class names one of ``item_classes`` becomes an
``Item`` with the text of its first ``<time>`` and its controls. A control's accessible name is its
``aria-label`` when it has one, else its text (visually hidden text included, as screen readers read it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    text: str = ""

    @property
    def visible_text(self) -> str:
        return " ".join(self.text.split())

    @property
    def name(self) -> str:
        label = self.attrs.get("aria-label")
        return " ".join((label if label is not None else self.text).split())


@dataclass
class Item:
    classes: list[str]
    time: str = ""
    controls: list[Control] = field(default_factory=list)


class _ItemParser(HTMLParser):
    def __init__(self, item_classes: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.item_classes = item_classes
        self.items: list[Item] = []
        self._item: Item | None = None
        self._li_depth = 0  # <li> open inside the current item
        self._control: Control | None = None
        self._in_time = False
        self._time_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "li":
            if self._item is None and self.item_classes & set(values.get("class", "").split()):
                self._item = Item(classes=values["class"].split())
                self._li_depth, self._time_done = 0, False
                return
            if self._item is not None:
                self._li_depth += 1
        if self._item is None:
            return
        if tag == "time" and not self._time_done:
            self._in_time = True
        elif tag in ("a", "button"):
            self._control = Control(tag, values)

    def handle_endtag(self, tag: str) -> None:
        if self._item is None:
            return
        if tag == "time" and self._in_time:
            self._in_time, self._time_done = False, True
        elif tag in ("a", "button") and self._control is not None:
            self._item.controls.append(self._control)
            self._control = None
        elif tag == "li":
            if self._li_depth:
                self._li_depth -= 1
            else:
                self.items.append(self._item)
                self._item = None

    def handle_data(self, data: str) -> None:
        if self._item is None:
            return
        if self._in_time:
            self._item.time += data
        if self._control is not None:
            self._control.text += data


def items(html: str, *item_classes: str) -> list[Item]:
    parser = _ItemParser(set(item_classes))
    parser.feed(html)
    parser.close()
    return parser.items
