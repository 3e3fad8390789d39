"""The iCalendar feed of meetings, written with the `icalendar` library (time-zone aware,
Europe/London, with its VTIMEZONE). Confidential (exempt) items are never in a feed, for
anyone: a feed is copied to phones and shared calendars. The public feed lists the meetings
of bodies that meet in public, with the agenda only once the minutes are approved."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from . import clock


def meetings_calendar(partnership, meetings, *, name: str, member: bool) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//SaferStat//Governance meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    site = settings.SAFERSTAT_SITE_URL.rstrip("/")
    now = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{partnership.slug}.saferstat")
        event.add("summary", f"{meeting.body.name}")
        event.add("dtstart", meeting.starts_at.astimezone(clock.LONDON))
        event.add("dtstamp", now)
        if meeting.location:
            event.add("location", meeting.location)
        event.add("status", "CONFIRMED")
        lines = [f"{meeting.body.name}: {meeting.get_status_display().lower()}."]
        if member or meeting.is_public:
            items = [i for i in meeting.items.all() if not i.confidential]
            lines += [f"{i.number}. {i.title}" for i in items]
        if member or meeting.is_public:
            path = reverse(
                "governance:meeting_detail",
                kwargs={"slug": partnership.slug, "meeting_id": meeting.pk},
            )
            event.add("url", f"{site}{path}")
            lines.append(f"{site}{path}")
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
