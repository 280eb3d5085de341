"""Text spacing (WCAG 1.4.12) on the studio home, and the schedule's booking controls by keyboard.

With the spacing a reader's own style sheet may set, the opening hours stay inside their column and
never run over the address; walking the class schedule with Tab, every booking control announces a
name of its own (class, day and time), not one of fifty "Buchen".
"""

from __future__ import annotations

import pytest

from tests.browser.support import settle, sign_in_by_cookie

pytestmark = pytest.mark.browser

# The values WCAG 1.4.12 names, as the usual bookmarklets apply them (they win over the page's own rules).
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important; }
p { margin-bottom: 2em !important; }
"""

# A constructed style sheet is not an inline <style>: the page's CSP (style-src 'self') lets it apply.
APPLY_SPACING = """css => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}"""

HOURS_LAYOUT = """() => {
    // A cell is as tall as its row: count the lines of its text instead (distinct tops of its line boxes).
    const lineCount = cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
    };
    const box = el => {
        const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    };
    const table = document.querySelector('table.hours');
    const column = table.closest('section');
    const cells = [...table.querySelectorAll('th, td')].map(cell => ({
        tag: cell.tagName, text: cell.innerText, scroll: cell.scrollWidth, client: cell.clientWidth,
        right: cell.getBoundingClientRect().right,
        lines: lineCount(cell),
    }));
    return {table: box(table), column: box(column), address: box(document.querySelector('address').closest('section')),
            cells, page: document.documentElement.scrollWidth, viewport: window.innerWidth};
}"""


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and b["top"] < a["bottom"] - 1
    )


def assert_hours_fit(layout: dict, label: str) -> None:
    for cell in layout["cells"]:
        assert cell["scroll"] <= cell["client"] + 1, f"{label}: {cell['text']!r} overflows its cell: {cell}"
        assert cell["right"] <= layout["column"]["right"] + 1, f"{label}: {cell['text']!r} runs out of its column"
    assert layout["table"]["right"] <= layout["column"]["right"] + 1, f"{label}: the table is wider than its column"
    assert not overlaps(layout["table"], layout["address"]), f"{label}: the opening hours cover the address: {layout}"
    assert layout["page"] <= layout["viewport"], f"{label}: the page scrolls sideways ({layout['page']}px)"


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_opening_hours_stay_in_their_column_with_wide_text_spacing(page, live_demo, screenshot, width, lang):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_demo.url}/s/demo/?lang={lang}")
    settle(page)
    normal = page.evaluate(HOURS_LAYOUT)
    assert_hours_fit(normal, f"{lang} {width}px")
    times = [cell for cell in normal["cells"] if cell["tag"] == "TD"]
    assert all(cell["lines"] == 1 for cell in times), times  # "07:00 – 22:00" stays together
    if width == 1280 and lang == "de":  # the usual look is unchanged: every row on one line
        assert all(cell["lines"] == 1 for cell in normal["cells"]), normal["cells"]

    page.evaluate(APPLY_SPACING, TEXT_SPACING)
    page.wait_for_function("() => getComputedStyle(document.body).letterSpacing !== 'normal'")
    spaced = page.evaluate(HOURS_LAYOUT)
    screenshot(page, f"home-text-spacing-{lang}-{width}px")
    assert_hours_fit(spaced, f"{lang} {width}px with WCAG text spacing")
    assert all(cell["lines"] == 1 for cell in spaced["cells"] if cell["tag"] == "TD"), spaced["cells"]
    page.problems.assert_none()


# The focused element's accessible name as Chromium computes it (the accessibility tree, not our reading of
# the HTML), and whether it is one of a class slot's booking controls.
FOCUSED = """() => {
    const el = document.activeElement;
    const slot = el.closest('.sched-slot');
    return {slot: slot ? slot.id : null, time: slot ? slot.querySelector('time').innerText.trim() : null,
            control: el.matches('.sched-slot a, .sched-slot button'), text: el.innerText.trim()};
}"""


def accessible_name_of_focus(cdp) -> str:
    found = cdp.send("Runtime.evaluate", {"expression": "document.activeElement"})
    node = cdp.send("DOM.describeNode", {"objectId": found["result"]["objectId"]})
    tree = cdp.send("Accessibility.getPartialAXTree", {"backendNodeId": node["node"]["backendNodeId"]})
    named = [
        n for n in tree["nodes"] if not n.get("ignored") and n.get("backendDOMNodeId") == node["node"]["backendNodeId"]
    ]
    return named[0]["name"]["value"]


@pytest.mark.parametrize("member", [False, True], ids=["visitor", "member"])
def test_tabbing_through_the_schedule_every_booking_control_has_its_own_name(page, live_demo, member):
    if member:
        sign_in_by_cookie(page.context, live_demo.url, "mia@example.com")
    page.goto(f"{live_demo.url}/s/demo/classes/?lang=de")
    settle(page)
    expected = page.locator(".sched-slot a, .sched-slot button").count()
    assert expected >= 20
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("Accessibility.enable")

    names: dict[str, str] = {}  # accessible name -> slot id
    for _ in range(expected + 60):  # the header, filters and footer come on top of the slots
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused["control"]:
            if names and focused["slot"] is None and len(names) == expected:
                break
            continue
        name = accessible_name_of_focus(cdp)
        assert name.startswith(focused["text"]), f"{name!r} does not start with the words shown, {focused['text']!r}"
        assert focused["time"] in name, f"{name!r} does not say its time {focused['time']}"
        assert name not in names, f"{name!r} twice: slots {names[name]} and {focused['slot']}"
        names[name] = focused["slot"]
    assert len(names) == expected, f"reached {len(names)} of {expected} booking controls with Tab"
    page.problems.assert_none()
