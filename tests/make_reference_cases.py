"""Regenerate tests/reference_cases.json: the next five fire times of ~300 expressions, from
two independent oracles, cronsim 2.8 and croniter 7.0.0 (test-only dependencies).

    python tests/make_reference_cases.py            # rewrite the file
    python tests/make_reference_cases.py --check    # exit 1 if the file would change

Each case is also computed by the naive reference (tests/reference.py), which implements
Debian cron's semantics. A case's ``source`` says who supports the answer:

* ``cronsim+croniter``: both oracles and the reference agree;
* ``cronsim`` or ``croniter``: that oracle and the reference agree; ``resolved`` says why
  the other oracle differs, citing reference/cron-semantics.md (croniter's DST handling,
  its OR rule for ``*/n`` day fields, its equal-bound ranges, cronsim's fold=1 start...);
* ``reference``: neither oracle supports the syntax (``L-n``, ``$``, ``nW`` + DST...), or
  both differ from Debian semantics for a documented reason (``resolved`` says which).

A disagreement with no documented reason stops the script: investigate, never paper over.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import croniter  # type: ignore[import-untyped]
import cronsim
from reference import MACROS, ref_next_after, ref_parse

OUTPUT = Path(__file__).with_name("reference_cases.json")
COUNT = 5
ORACLES = {"cronsim": "2.8", "croniter": "7.0.0"}
SEARCH = timedelta(days=120 * 366)

REALISTIC = """
* * * * *|*/5 * * * *|*/10 * * * *|*/15 * * * *|*/30 * * * *|0 * * * *|5 * * * *|30 * * * *
0 */2 * * *|0 */3 * * *|0 */6 * * *|0 */12 * * *|0 0 * * *|0 1 * * *|0 2 * * *|30 2 * * *
15 3 * * *|0 4 * * *|45 23 * * *|59 23 * * *|0 12 * * *|0 9 * * 1-5|0 9 * * MON-FRI
30 8 * * 1,3,5|0 18 * * FRI|0 10 * * SAT,SUN|0 0 * * 0|0 0 * * 7|0 0 * * SUN|0 6 * * 6,0
0 0 1 * *|0 2 1 * *|0 0 15 * *|0 0 1,15 * *|0 3 28 * *|0 2 30 * *|0 2 31 * *|0 0 1 1 *
0 0 1 */3 *|0 0 1 1,4,7,10 *|0 0 25 12 *|0 0 29 2 *|0 8-18 * * 1-5|*/15 9-17 * * 1-5
0,30 * * * *|15,45 * * * *|0 0,12 * * *|0 6,18 * * *|0 1-3 * * *|15,45 2 * * *
*/20 2 * * *|*/20 1 * * *|30 1 * * *|45 1 * * *|15 2 * * *|0 2 * * SUN|30 2 * * 0|0 3 * * *
30 3 * * *|0 0-4 * * *|*/30 0-3 * * *|0 22 * * 1-5|5 4 * * sun|0 0 1 jan *|0 12 1 JAN,JUL *
0 9 1-7 * 1|0 0 13 * 5|0 0 13 * FRI|0 0 1 * MON|0 0 */2 * *|0 0 1-31/2 * *|0 0 */2 * 1
0 0 */10 * *|0 0 * * */2|0 0 1 * */2|0 0 * */2 *|0 0 L * *|0 2 L * *|59 23 L * *|0 0 LW * *
0 9 1W * *|0 9 15W * *|0 9 31W * *|0 0 L-1 * *|0 0 L-3 * *|0 0 * * 5L|0 0 * * 1#1
0 0 * * MON#1|0 9 * * 2#2|0 0 * * 5#3|0 0 * 2 MON#5|0 0 * * 0#5|@yearly|@annually|@monthly
@weekly|@daily|@midnight|@hourly|0 0 ? * MON|0 0 1 * ?|0 0 $ * *|0 2 L * ?|0 6 * * 1-5
"""
EDGE = """
00 02 * * *|007 * * * *|0 0 01 01 *|05 0 * * 01|0 0 1 jAn *|0 0 * * mOn-fRi|0 0 1 JAN-3 *
0 0 * * MON-5|0 0 * * FRI-SUN|*,5 * * * *|0 *,5 * * *|0 0 *,5 * 1|0 0 1,*/10 * 0
*/60 * * * *|*/59 * * * *|*/100 * * * *|0 */24 * * *|0 0 */31 * *|0 0 1 */12 *
0 0 * * */7|0-10/20 * * * *|5-5 * * * *|0 5-5 * * *|0 0 * * MON-MON|0 0 1 JAN-JAN *
0 0 * * 5-7|0 0 * * 0-7|0 0 * * 1-7/2|0 0 * * */3|0 0 * * 6-7|0 0 1-31 * 1|0 0 */1 * 1
0 0 1-7 * 1|0 0 ? * 1|0 0 15 * 1-5|0 0 31 2 1|0 0 30 * 0|0 0 L 2 *|0 0 L-1 2 *|0 0 LW 2 *
0 0 L * 1|0 0 L,15 * *|0 0 1,L * *|0 0 31,L * *|0 0 L-0 * *|0 0 L-30 * *|0 0 L-27 2 *
0 0 1W,15W * *|0 0 30W * *|0 0 29W 2 *|0 0 LW,L * *|0 0 * * 0L|0 0 * * 7L|0 0 * * 1L,5L
0 0 * * 1#1,1#3|0 0 * * 5#3,1|0 0 1 * 5#3|0 0 * 2 1#5|0 0 * 2 0#5|0 0 28,29 2 *
0 0 29 2 1|0 0 29 FEB *|0 0 28-29 2 *|0 12 29 2 *|0\t2 * * *|  0 2 * * *  |0  2\t\t*  *  *
*/7 * * * *|*/45 * * * *|1-59/15 * * * *|0 0-23/5 * * *|0 0 5-25/10 * *|0 0 1 2-12/5 *
0 0 ? * 5L|0 0 L * ?|0 0 * * 6#5|0 0 31 * 1#1|0 0 L-2 * 5|0 0 15W * 1|0 12 1 * 0#1
59 23 31 12 *|0 0 1 1 1|0 0 L 12 *|0 0 * 1 1#1|30 12 * 6-8 SAT
"""

MORE = """
0 7 * * 1-5|30 6 * * 1-5|0 20 * * 0|0 0 * * 6|15 14 1 * *|0 5 * * 1|*/2 * * * *|*/3 * * * *
*/6 * * * *|1-5 * * * *|0 0-23/2 * * *|0 8,12,16 * * *|0 9-17 * * *|30 9-17 * * 1-5|0 0 1 2 *
0 0 1 3,6,9,12 *|0 0 L 3,6,9,12 *|0 3 L * *|0 23 L * *|0 0 1-7 * 5|0 4 8-14 * *
0 0 10,20,30 * *|0 0 5 * 1-5|45 17 * * FRI|0 0 * JAN-MAR *|0 0 * jun-aug SAT,SUN|0 12 * DEC *
0 0 15 apr *|0 9 1 * 1-5|0 0 L * 0|0 0 LW 1-6 *|0 6 L-5 * *|0 0 * * 1#2,3#4|0 0 * * SAT#1
0 0 * 11 THU#4|0 0 * 5 1L|0 0 * 9 1#1|0 0 * 3 0#2|0 0 * 10 0L|0 2 * 3 0L|0 2 * 10 0L
*/5 1-3 * * *|*/10 2 * * *|0,15,30,45 2 * * *|58 1 * * *|1 2 * * *|59 2 * * *|0 2 * * 1-5
0 2 * * 0,6|30 0-6/2 * * *|0 1,2,3 * * *|0 */4 * * *|0 0 29,30,31 * *|0 0 28-31 * *
0 0 31 1,3,5,7,8,10,12 *|0 0 30 4,6,9,11 *|0 0 29 2 0|0 0 29 2 ?|0 0 ? 2 *|0 0 1,L 2 *
0 0 1 Feb,MAR,apr *|0 0 * * sat-SUN|0 0 * * Tue,Thu|0 0\t1\t*\t*|\t0 2 * * *|*/25 * * * *
10-50/20 * * * *|0 1-23/3 * * *|0 0 2-30/7 * *|0 0 * 1-12/4 *|0 0 * * 1-5/2|0 0 * * 0-6/3
0 0 * * 2-7/5|0 0 1 * 1-5/2|30 2 L * *|30 2 1 * *|30 2 * * 0#1|0 0 * * 5#5|0 0 31 12 5L
"""


def _dst_grid() -> list[str]:
    """Minute x hour combinations around the hours DST nights touch."""
    grid = [f"{m} {h} * * *" for h in (0, 1, 2, 3) for m in (0, 15, 30, 45, 59)]
    grid += [f"*/15 {h} * * *" for h in (0, 1, 2, 3)]
    grid += [f"{m} * * * *" for m in (15, 45, 59)]
    grid += [f"{m} {h}-{h + 1} * * *" for h in (1, 2) for m in (0, 30)]
    grid += ["0 2 * * 0", "30 1 * * SUN", "0,30 1-3 * * *", "* 2 * * *", "59 1 * * *"]
    grid += ["*/20 * * * *", "0 */1 * * *", "30 */2 * * *", "0 2,3 * * *", "10 2-4 * * *"]
    return grid


def expressions() -> list[str]:
    found: list[str] = []
    for block in (REALISTIC, EDGE, MORE):
        for line in block.strip("\n").split("\n"):
            found += line.split("|")
    found += _dst_grid()
    found = list(dict.fromkeys(text.replace("\\t", "\t") for text in found))
    for text in found:
        ref_parse(text)  # every listed expression is valid
    return found


UTC_STARTS = ("2026-01-01T00:00:00+00:00", "2024-02-28T23:30:00+00:00", "2099-12-31T23:59:30+00:00")
DST_STARTS = (
    ("Europe/Oslo", "2026-03-28T23:00:00+01:00"),
    ("Europe/Oslo", "2026-10-24T23:30:00+02:00"),
    ("Europe/Oslo", "2026-10-25T02:20:00+01:00"),  # inside the repeated hour, second pass
    ("America/New_York", "2026-03-07T23:00:00-05:00"),
    ("America/New_York", "2026-10-31T23:30:00-04:00"),
    ("Australia/Lord_Howe", "2026-04-04T23:00:00+11:00"),
    ("Australia/Lord_Howe", "2026-10-03T23:00:00+10:30"),
)


# -- the oracles ------------------------------------------------------------------------------


def for_cronsim(text: str) -> str:
    text = MACROS.get(text.strip(), text)  # cronsim has no macros
    fields = text.split()
    fields[2] = fields[2].replace("?", "*").replace("$", "L")
    fields[4] = fields[4].replace("?", "*")
    return " ".join(fields)


def for_croniter(text: str) -> str:
    if text.strip() in MACROS:
        return text.strip()
    fields = text.split()
    fields[2] = fields[2].replace("$", "L")
    fields[4] = re.sub(r"\b([0-7])L\b", r"L\1", fields[4])  # croniter spells 5L as L5
    return " ".join(fields)


def run_cronsim(text: str, start: datetime) -> list[datetime] | str:
    try:
        it = cronsim.CronSim(for_cronsim(text), start)
        return [next(it) for _ in range(COUNT)]
    except (cronsim.CronSimError, StopIteration, ValueError) as error:
        return f"cronsim: {type(error).__name__}: {error}"


def run_croniter(text: str, start: datetime) -> list[datetime] | str:
    try:
        it = croniter.croniter(for_croniter(text), start)
        return [it.get_next(datetime) for _ in range(COUNT)]
    except (croniter.CroniterError, ValueError, KeyError) as error:
        return f"croniter: {type(error).__name__}: {error}"


def run_reference(text: str, zone: str, start: datetime) -> list[datetime]:
    found, at = [], start
    for _ in range(COUNT):
        fire = ref_next_after(text, zone, at, SEARCH)
        assert fire is not None, (text, zone, start)
        found.append(fire)
        at = fire
    return found


def shown(times: list[datetime], zone: str) -> list[str]:
    tz = ZoneInfo(zone)
    return [t.astimezone(UTC).astimezone(tz).isoformat() for t in times]


# -- why an oracle differs from Debian (reference/cron-semantics.md) ----------------------------


def _near_dst(zone: str, times: list[str]) -> bool:
    if zone == "UTC":
        return False
    tz = ZoneInfo(zone)
    for text in times:
        at = datetime.fromisoformat(text)
        day = [at + timedelta(hours=h) for h in range(-30, 31, 6)]
        if len({d.astimezone(tz).utcoffset() for d in day}) > 1:
            return True
    return False


def _fields(text: str) -> list[str]:
    return MACROS.get(text.strip(), text).split()


def croniter_reason(text: str, zone: str, got: list[str], want: list[str]) -> str | None:
    fields = _fields(text)
    if _near_dst(zone, want) or _near_dst(zone, got):
        return "croniter's DST handling differs from Debian's (cron-semantics.md §7.3)"
    if any(re.fullmatch(r"(\w+)-\1", item) for f in fields for item in f.split(",")):
        return "croniter reads an equal-bound range as the whole field (§4, §9)"
    dom, dow = fields[2], fields[4]
    starred = [f for f in (dom, dow) if f[0] in "*?" and f not in ("*", "?")]
    if starred and any(f[0] not in "*?" for f in (dom, dow)):
        return "croniter ORs the day fields when one is */n or *,x; Debian ANDs them (§5)"
    if re.search(r"(^|,)(29|30|31)W", dom):
        return (
            "croniter moves nW to a weekday near the month's end when day n does not exist;"
            " cronspec skips that month (DESIGN.md extensions)"
        )
    if "W" in dom and dow[0] not in "*?":
        return "croniter ignores day-of-week beside nW; Debian ORs the two day fields (§5)"
    if re.search(r"#|[0-7]L", dow) and dom[0] not in "*?":
        return "croniter drops the day-of-month side of an OR with n#k or nL (§6, DOM + #)"
    return None


def cronsim_reason(text: str, zone: str, start: str, got: list[str], want: list[str]) -> str | None:
    at = datetime.fromisoformat(start).astimezone(ZoneInfo(zone))
    fields = _fields(text)
    fixed = fields[0][0] != "*" and fields[1][0] != "*"
    if at.fold == 1 and fixed:
        return (
            "cronsim drops fold=1 of a start in the repeated hour, returns an earlier time (§7.2)"
        )
    if (
        zone == "Australia/Lord_Howe"
        and not fixed
        and (_near_dst(zone, want) or _near_dst(zone, got))
    ):
        return (
            "cronsim steps wildcard jobs in whole UTC hours, wrong across Lord Howe's 30-minute"
            " shift; Debian follows the wall clock (§7.1)"
        )
    return None


# -- building the cases ------------------------------------------------------------------------


UNEXPLAINED: list[str] = []


def case(text: str, zone: str, start_text: str) -> dict[str, object]:
    tz = ZoneInfo(zone)
    start = datetime.fromisoformat(start_text).astimezone(tz)
    want = shown(run_reference(text, zone, start), zone)
    results = {"cronsim": run_cronsim(text, start), "croniter": run_croniter(text, start)}
    agree, notes = [], []
    for oracle, result in results.items():
        if isinstance(result, str):
            notes.append(f"{oracle} refuses the expression")
            continue
        got = shown(result, zone)
        if got == want:
            agree.append(oracle)
            continue
        if oracle == "croniter":
            reason = croniter_reason(text, zone, got, want)
        else:
            reason = cronsim_reason(text, zone, start_text, got, want)
        if reason is None:
            UNEXPLAINED.append(
                f"{oracle} {text!r} {zone} {start_text}\n  {oracle}: {got}\n  reference: {want}"
            )
            reason = "UNEXPLAINED"
        notes.append(f"{oracle} gives {got[0]}...: {reason}")
    entry: dict[str, object] = {
        "expression": text,
        "tz": zone,
        "start": start_text,
        "next": want,
        "source": "+".join(agree) if agree else "reference",
    }
    if notes:
        entry["resolved" if any(" gives " in n for n in notes) else "note"] = "; ".join(notes)
    return entry


def build() -> dict[str, object]:
    cases = []
    for text in expressions():
        for start in UTC_STARTS:
            cases.append(case(text, "UTC", start))
        for zone, start in DST_STARTS:
            first = ref_next_after(text, zone, datetime.fromisoformat(start), timedelta(hours=30))
            if first is not None:  # only where the DST night matters
                cases.append(case(text, zone, start))
    return {
        "generated_by": "tests/make_reference_cases.py",
        "oracles": ORACLES,
        "count": len(cases),
        "cases": cases,
    }


def render(data: dict[str, object]) -> str:
    """One case per line, so a regeneration diff reads case by case."""
    cases = data["cases"]
    assert isinstance(cases, list)
    head = {key: value for key, value in data.items() if key != "cases"}
    lines = [json.dumps(case, ensure_ascii=False) for case in cases]
    return json.dumps(head)[:-1] + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n"


def main() -> int:
    for name, version in ORACLES.items():
        if metadata.version(name) != version:
            raise SystemExit(f"{name} {version} is required, found {metadata.version(name)}")
    text = render(build())
    if UNEXPLAINED:
        print("undocumented disagreements:", *UNEXPLAINED, sep="\n")
        return 2
    if "--check" in sys.argv:
        if OUTPUT.read_text() != text:
            print(f"{OUTPUT.name} is out of date: run {Path(__file__).name}")
            return 1
        return 0
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
