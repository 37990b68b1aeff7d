"""Cron.describe(): one English sentence per schedule, built from the compiled masks."""

import pytest

import cronspec


@pytest.mark.parametrize(
    ("expression", "sentence"),
    [
        ("0 2 * * *", "At 02:00 every day"),
        ("@daily", "At 00:00 every day"),
        ("@midnight", "At 00:00 every day"),
        ("* * * * *", "Every minute"),
        ("*/15 * * * *", "Every 15 minutes"),
        ("*/5 * 1 * *", "Every 5 minutes on day 1 of the month"),
        ("*/15 9-17 * * 1-5", "Every 15 minutes, between 09:00 and 17:59, on Monday to Friday"),
        ("*/10 1,3,5 * * *", "Every 10 minutes, during hours 1, 3 and 5"),
        ("30 * * * *", "At minute 30 past every hour"),
        ("@hourly", "At minute 0 past every hour"),
        ("15,45 * * * *", "At minutes 15 and 45 past every hour"),
        ("0 */2 * * *", "At minute 0 past every 2nd hour"),
        ("0 8-18/2 * * *", "At minute 0 past hours 8, 10, 12, 14, 16 and 18"),
        ("0 0,12 * * *", "At 00:00 and 12:00 every day"),
        ("15,45 9 * * *", "At 09:15 and 09:45 every day"),
        ("0 23 L * *", "At 23:00 on the last day of the month"),
        ("0 2 $ * *", "At 02:00 on the last day of the month"),
        ("0 0 L-3 * *", "At 00:00 on the last day of the month minus 3 days"),
        ("0 0 LW * *", "At 00:00 on the last weekday of the month"),
        ("0 0 15W * *", "At 00:00 on the weekday nearest day 15 of the month"),
        ("0 9 * * 5#3", "At 09:00 on the third Friday of the month"),
        ("0 9 * * MON#1", "At 09:00 on the first Monday of the month"),
        ("0 18 * * 5L", "At 18:00 on the last Friday of the month"),
        ("0 0 13 * 5", "At 00:00 on day 13 of the month and on Friday"),
        ("0 0 1-7 * 1", "At 00:00 on days 1 to 7 of the month and on Monday"),
        ("0 0 */2 * 1", "At 00:00 on every 2nd day of the month if it is Monday"),
        (
            "0 0 1 * */2",
            "At 00:00 on day 1 of the month if it is Sunday, Tuesday, Thursday and Saturday",
        ),
        ("0 0 1-31 * 1", "At 00:00 every day"),
        ("@weekly", "At 00:00 on Sunday"),
        ("0 0 * * 7", "At 00:00 on Sunday"),
        ("5 4 * * 0,6", "At 04:05 on Sunday and Saturday"),
        ("0 9 * * MON-FRI", "At 09:00 on Monday to Friday"),
        ("@monthly", "At 00:00 on day 1 of the month"),
        ("0 0 1,15 * *", "At 00:00 on days 1 and 15 of the month"),
        ("@yearly", "At 00:00 on day 1 of the month in January"),
        ("0 6 1 1,7 *", "At 06:00 on day 1 of the month in January and July"),
        ("0 0 * 3-5 *", "At 00:00 every day in March to May"),
        ("0 0 29 2 *", "At 00:00 on day 29 of the month in February"),
        ("30 1 1 */3 *", "At 01:30 on day 1 of the month in January, April, July and October"),
        ("0 0 L,15 * *", "At 00:00 on day 15 of the month and the last day of the month"),
    ],
)
def test_describes_the_schedule_in_english(expression: str, sentence: str) -> None:
    assert cronspec.parse(expression).describe() == sentence


def test_a_macro_reads_like_its_expansion() -> None:
    assert cronspec.parse("@weekly").describe() == cronspec.parse("0 0 * * 0").describe()
