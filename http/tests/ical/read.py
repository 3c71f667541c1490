"""Reads an iCalendar feed with two independent readers, icalendar and
vobject, and prints what each saw as JSON: for every event its UID, start
and end in the given zone (as a phone would show them), status and
sequence. The test compares the two and checks the times.

Usage: python read.py FEED.ics ZONE
"""

import json
import sys
from zoneinfo import ZoneInfo

import icalendar
import vobject


def with_icalendar(text, zone):
    events = []
    for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        events.append(
            {
                "uid": str(event["UID"]),
                "start": event.decoded("DTSTART").astimezone(zone).isoformat(),
                "end": event.decoded("DTEND").astimezone(zone).isoformat(),
                "status": str(event.get("STATUS", "")),
                "sequence": int(event.get("SEQUENCE", 0)),
                "summary": str(event.get("SUMMARY", "")),
            }
        )
    return sorted(events, key=lambda e: e["uid"])


def with_vobject(text, zone):
    events = []
    calendar = vobject.readOne(text)
    for event in calendar.vevent_list:
        events.append(
            {
                "uid": event.uid.value,
                "start": event.dtstart.value.astimezone(zone).isoformat(),
                "end": event.dtend.value.astimezone(zone).isoformat(),
                "status": event.status.value if hasattr(event, "status") else "",
                "sequence": int(event.sequence.value) if hasattr(event, "sequence") else 0,
                "summary": event.summary.value if hasattr(event, "summary") else "",
            }
        )
    return sorted(events, key=lambda e: e["uid"])


def main():
    with open(sys.argv[1], encoding="utf-8") as feed:
        text = feed.read()
    zone = ZoneInfo(sys.argv[2])
    print(json.dumps({"icalendar": with_icalendar(text, zone), "vobject": with_vobject(text, zone)}))


if __name__ == "__main__":
    main()
