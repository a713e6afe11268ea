#!/usr/bin/env python3
"""tz-ref.py ZONE YEAR CSV OUT GAPS: the reference for nps-import --tz.

Writes to CSV the local wall-clock times of every quarter hour from noon
before to noon after each day of YEAR on which ZONE's UTC offset changes
(header "id,t"), to OUT what nps-import --tz ZONE should write for them
(header "id<TAB>t", ISO 8601 with the offset), and to GAPS the ids of the
times that do not exist there. Python's zoneinfo reads the same tz
database; fold=0 takes the earlier of two instants, nps-import's choice.
"""
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

zone, year, csv_path, out_path, gaps_path = sys.argv[1:6]
z = ZoneInfo(zone)
year = int(year)


def offset(naive):
    return naive.replace(tzinfo=z).utcoffset()


days = []
d = datetime(year, 1, 1)
while d.year == year:
    if offset(d + timedelta(hours=12)) != offset(d - timedelta(hours=12)):
        days.append(d)
    d += timedelta(days=1)

with open(csv_path, "w") as csv, open(out_path, "w") as out, open(gaps_path, "w") as gaps:
    csv.write("id,t\n")
    out.write("id\tt\n")
    n = 0
    for day in days:
        t = day - timedelta(hours=24)
        while t <= day + timedelta(hours=24):
            n += 1
            csv.write("%d,%s\n" % (n, t.strftime("%Y-%m-%d %H:%M")))
            aware = t.replace(tzinfo=z, fold=0)
            back = aware.astimezone(timezone.utc).astimezone(z).replace(tzinfo=None)
            if back != t:
                gaps.write("%d\n" % n)
            else:
                off = int(aware.utcoffset().total_seconds()) // 60
                sign = "-" if off < 0 else "+"
                out.write("%d\t%s%s%02d:%02d\n" % (n, t.strftime("%Y-%m-%dT%H:%M:%S"),
                                                  sign, abs(off) // 60, abs(off) % 60))
            t += timedelta(minutes=15)
