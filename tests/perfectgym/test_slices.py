"""Sliced results: follow the returned offset (a cursor) until hasNext is false."""

from __future__ import annotations

from datetime import date

import pytest

from portal.perfectgym import errors
from portal.perfectgym import models as m
from tests.perfectgym.conftest import BASE

CLASSES_URL = f"{BASE}/v1/classes"


def page(ids: list[int], *, has_next: bool, offset: str) -> dict:
    return {"result": [{"id": i, "bookable": True} for i in ids], "hasNext": has_next, "offset": offset}


def test_all_pages_are_fetched_following_the_returned_cursor(client, api):
    api.get(CLASSES_URL, json=page([1001, 1005, 1017], has_next=True, offset="1017"))
    api.get(CLASSES_URL, json=page([1018], has_next=True, offset="1018"))  # short page, yet more to come
    api.get(CLASSES_URL, json=page([1020, 1022], has_next=False, offset="1022"))

    classes = client.all_active_classes()

    assert [c.id for c in classes] == [1001, 1005, 1017, 1018, 1020, 1022]
    sent = [call.request.params for call in api.calls]
    assert [p["offset"] for p in sent] == ["0", "1017", "1018"]  # the cursor, never a count like "3"
    assert {p["sliceSize"] for p in sent} == {"100"}


def test_a_full_page_without_has_next_is_the_last(client, api):
    api.get(CLASSES_URL, json=page(list(range(10)), has_next=False, offset="9"))
    assert len(client.all_active_classes()) == 10
    assert len(api.calls) == 1


def test_single_page_call_sends_offset_and_slice_size(client, api):
    api.get(CLASSES_URL, json=page([5], has_next=True, offset="abc"))
    result = client.get_active_classes(offset="xyz", slice_size=10)
    assert isinstance(result, m.Sliced)
    assert (result.has_next, result.offset) == (True, "abc")
    assert api.calls[0].request.params == {"offset": "xyz", "sliceSize": "10"}


def test_a_cursor_that_does_not_advance_stops_the_loop(client, api):
    api.get(CLASSES_URL, json=page([1], has_next=True, offset="7"))
    api.get(CLASSES_URL, json=page([2], has_next=True, offset="7"))
    with pytest.raises(errors.MalformedResponse):
        client.all_active_classes()
    assert len(api.calls) == 2


@pytest.mark.parametrize("size", [9, 101])
def test_slice_size_outside_the_documented_range_is_refused_before_sending(client, size):
    with pytest.raises(ValueError):
        client.get_active_classes(slice_size=size)


def test_class_slots_for_multiple_classes_pages_keep_the_window(client, api):
    url = f"{BASE}/v1/classes/slots"
    slot = {"id": 1, "additionalParticipants": 0}
    api.get(url, json={"result": [slot], "hasNext": True, "offset": "c1"})
    api.get(url, json={"result": [{**slot, "id": 2}], "hasNext": False, "offset": "c2"})

    slots = client.all_class_slots_for_multiple_classes(days_ahead=0, slot_window_start_date=date(2026, 3, 2))

    assert [s.id for s in slots] == [1, 2]
    for call, offset in zip(api.calls, ["0", "c1"], strict=True):
        assert call.request.params == {
            "daysAhead": "0",
            "slotWindowStartDate": "2026-03-02",
            "offset": offset,
            "sliceSize": "100",
        }
