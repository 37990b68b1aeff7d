"""cronspec against tests/reference_cases.json: fire times from cronsim 2.8 and croniter
7.0.0, resolved to Debian semantics where they disagree (see make_reference_cases.py).

For every case: the next five fire times by next_after, the same five from fire_times,
and previous_before walking them back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cronspec

DATA = json.loads(Path(__file__).with_name("reference_cases.json").read_text())
BY_EXPRESSION: dict[str, list[dict[str, object]]] = defaultdict(list)
for _case in DATA["cases"]:
    BY_EXPRESSION[_case["expression"]].append(_case)


def test_the_cases_cover_about_three_hundred_expressions() -> None:
    assert len(BY_EXPRESSION) >= 290
    assert DATA["count"] == len(DATA["cases"])
    sources = {case["source"] for case in DATA["cases"]}
    assert sources == {"cronsim+croniter", "cronsim", "croniter", "reference"}


@pytest.mark.parametrize("expression", sorted(BY_EXPRESSION), ids=repr)
def test_cronspec_gives_the_reference_fire_times(expression: str) -> None:
    for case in BY_EXPRESSION[expression]:
        zone = str(case["tz"])
        cron = cronspec.parse(expression, tz=zone)
        start = datetime.fromisoformat(str(case["start"])).astimezone(ZoneInfo(zone))
        expected = list(case["next"])  # type: ignore[call-overload]
        context = f"{expression!r} in {zone} from {case['start']} ({case['source']})"

        got, at = [], start
        for _ in expected:
            at = cron.next_after(at)
            got.append(at.isoformat())
        assert got == expected, context

        window = cron.fire_times(start, datetime.fromisoformat(expected[-1]))
        assert [at.isoformat() for at in window] == expected, context

        walked_back = [cron.previous_before(datetime.fromisoformat(t)) for t in expected[1:]]
        assert [at.isoformat() for at in walked_back] == expected[:-1], context
