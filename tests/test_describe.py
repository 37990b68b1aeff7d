"""Cron.describe(): one exact English sentence per shape of schedule."""

from __future__ import annotations

import pytest

import cronspec
from cronspec._parser import MACROS

SENTENCES = {
    "0 2 * * *": "At 02:00 every day",
    "30 1 * * *": "At 01:30 every day",
    "5,10 0 * * *": "At 00:05 and 00:10 every day",
    "0,30 8,12 * * *": "At 08:00, 08:30, 12:00 and 12:30 every day",
    "0 */12 * * *": "At 00:00 and 12:00 every day",
    "0 9-12 * * *": "At 09:00, 10:00, 11:00 and 12:00 every day",
    "* * * * *": "Every minute",
    "*/15 * * * *": "Every 15 minutes",
    "0,30 * * * *": "Every 30 minutes",
    "30 * * * *": "At minute 30 past every hour",
    "1-5 * * * *": "At minutes 1 to 5 past every hour",
    "*/7 * * * *": "At minutes 0, 7, 14, ..., 56 past every hour",
    "1-59/2 * * * *": "At minutes 1, 3, 5, ..., 59 past every hour",
    "*/40 * * * *": "At minutes 0 and 40 past every hour",
    "0 */2 * * *": "At minute 0 past every 2nd hour",
    "0 */5 * * *": "At minute 0 past hours 0, 5, 10, ..., 20",
    "0 1,5,9,13,20 * * *": "At minute 0 past hours 1, 5, 9, 13 and 20",
    "0 9-17 * * *": "Every hour from 09:00 to 17:00",
    "* 9 * * *": "Every minute, between 09:00 and 09:59",
    "*/10 8-18 * * *": "Every 10 minutes, between 08:00 and 18:59",
    "0,30 */2 * * *": "Every 30 minutes, during every 2nd hour",
    "*/15 0-5,22,23 * * *": "Every 15 minutes, during hours 0 to 5, 22 and 23",
    "*/15 9-17 * * 1-5": "Every 15 minutes, between 09:00 and 17:59, Monday to Friday",
    "0 6 * * MON-FRI": "At 06:00, Monday to Friday",
    "0 3 * * 0": "At 03:00 on Sunday",
    "0 3 * * 7": "At 03:00 on Sunday",
    "0 0 ? * MON": "At 00:00 on Monday",
    "*/5 * * * 0,6": "Every 5 minutes on Saturday and Sunday",
    "0 0 * * FRI-SUN": "At 00:00, Friday to Sunday",
    "0 0 * * 1,3-5": "At 00:00 on Monday and Wednesday to Friday",
    "0 9 * * 5#3": "At 09:00 on the third Friday of the month",
    "0 9 * * 1#1,1#3": "At 09:00 on the first and third Monday of the month",
    "0 0 * * 5L": "At 00:00 on the last Friday of the month",
    "0 0 * * FRIL": "At 00:00 on the last Friday of the month",
    "0 0 * * MONL,fril": "At 00:00 on the last Monday and the last Friday of the month",
    "0 0 * * FRI#L": "At 00:00 on the last Friday of the month",
    "0 0 * * 1#1,MON#L": "At 00:00 on the first and last Monday of the month",
    "30 1 1 * *": "At 01:30 on day 1 of the month",
    "0 0 1,15 * *": "At 00:00 on days 1 and 15 of the month",
    "0 0 1-5 * *": "At 00:00 on days 1 to 5 of the month",
    "0 0 */2 * *": "At 00:00 on odd days of the month",
    "0 0 2-31/2 * *": "At 00:00 on even days of the month",
    "0 0 1-31/7 * *": "At 00:00 on days 1, 8, 15, ..., 29 of the month",
    "0 23 L * *": "At 23:00 on the last day of the month",
    "0 0 $ * *": "At 00:00 on the last day of the month",
    "0 0 1,L * *": "At 00:00 on day 1 and the last day of the month",
    "0 0 L-3 * *": "At 00:00, 3 days before the last day of the month",
    "0 0 L-1 * *": "At 00:00, 1 day before the last day of the month",
    "0 0 L-2,L-5 * *": "At 00:00, 2 and 5 days before the last day of the month",
    "0 0 LW * *": "At 00:00 on the last weekday of the month",
    "0 0 15W * *": "At 00:00 on the weekday nearest day 15 of the month",
    "0 0 1W,15W * *": "At 00:00 on the weekdays nearest days 1 and 15 of the month",
    "*/20 * 1 * *": "Every 20 minutes on day 1 of the month",
    "0 0 13 * 5": "At 00:00 on day 13 of the month and on Friday",
    "0 0 1-7 * 1": "At 00:00 on days 1 to 7 of the month and on Monday",
    "0 0 L * 5": "At 00:00 on the last day of the month and on Friday",
    "0 0 1-31 * 1": "At 00:00 every day",
    "0 0 */2 * 1": "At 00:00 on odd days of the month if it is a Monday",
    "0 0 13 * */2": "At 00:00 on day 13 of the month if it is a Tuesday, Thursday, Saturday or Sunday",
    "0 0 */2 * 1-5": "At 00:00 on odd days of the month if it is Monday to Friday",
    "0 0 L * */7": "At 00:00 on the last day of the month if it is a Sunday",
    "0 0 * 1,7 *": "At 00:00 every day in January and July",
    "0 0 1 1,7 *": "At 00:00 on day 1 of January and July",
    "0 0 1 */3 *": "At 00:00 on day 1 of January, April, July and October",
    "0 0 * 3-6 *": "At 00:00 every day from March to June",
    "0 12 * JAN-MAR,DEC *": "At 12:00 every day in January to March and December",
    "0 0 L 2 *": "At 00:00 on the last day of February",
    "0 0 1 2 1": "At 00:00 on day 1 of the month and on Monday in February",
    "*/15 9-17 * 6-8 1-5": "Every 15 minutes, between 09:00 and 17:59, Monday to Friday, from June to August",
    "@yearly": "At 00:00 on day 1 of January",
    "@monthly": "At 00:00 on day 1 of the month",
    "@weekly": "At 00:00 on Sunday",
    "@daily": "At 00:00 every day",
    "@hourly": "At minute 0 past every hour",
}


@pytest.mark.parametrize(("expression", "sentence"), SENTENCES.items())
def test_describes_each_shape_in_one_exact_sentence(expression: str, sentence: str) -> None:
    assert cronspec.parse(expression).describe() == sentence


@pytest.mark.parametrize(("macro", "expansion"), MACROS.items())
def test_macros_read_like_their_expansion(macro: str, expansion: str) -> None:
    assert cronspec.parse(macro).describe() == cronspec.parse(expansion).describe()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("0,30 * * * *", "*/30 * * * *"),
        ("0 0 * * 7", "0 0 * * SUN"),
        ("0 0 1,2,3 * *", "0 0 1-3 * *"),
        ("0 0 ? * *", "0 0 * * ?"),
        ("0 0 * * FRIL", "0 0 * * 5L"),
        ("0 0 * * 5#L", "0 0 * * 5L"),
    ],
)
def test_equivalent_expressions_read_the_same(one: str, other: str) -> None:
    assert cronspec.parse(one).describe() == cronspec.parse(other).describe()
