#!/usr/bin/env python3
"""helpdesk-ref.py FILE QUESTION [GROUP]: the answer nps-classify -u customer
--keep latest -t created_at | nps-agg -s QUESTION -t created_at -p week
[-g GROUP] should give on a help-desk export, worked out here from the
definitions alone (npskit(7), nps-agg(1)), for the test to compare:
period n promoters passives detractors nps se unanswered response_rate
first_date last_date partial, one line per (group and) ISO week.

- one row per customer: the one with the latest created_at in UTC; of
  equal times the later in the file;
- a week is the ISO week of the date as written (before the offset);
- an empty score is unanswered: not in n;
- partial: the data (after removing duplicates) begin after the week's
  Monday or end before its Sunday."""
import datetime
import math
import sys

path, question = sys.argv[1], sys.argv[2]
group = sys.argv[3] if len(sys.argv) > 3 else None
with open(path) as f:
    lines = [l.rstrip('\n').split('\t') for l in f]
head, rows = lines[0], lines[1:]
col = {name: i for i, name in enumerate(head)}

kept = {}
for pos, r in enumerate(rows):
    t = datetime.datetime.fromisoformat(r[col['created_at']].replace('Z', '+00:00'))
    key = r[col['customer']]
    if key not in kept or t >= kept[key][0]:
        kept[key] = (t, pos, r)

cells = {}
first_all = last_all = None
for t, pos, r in kept.values():
    day = datetime.date.fromisoformat(r[col['created_at']][:10])
    y, w, _ = day.isocalendar()
    key = ((r[col[group]],) if group else ()) + ((y, w),)
    c = cells.setdefault(key, {'P': 0, 'A': 0, 'D': 0, 'U': 0, 'first': day, 'last': day})
    c['first'] = min(c['first'], day)
    c['last'] = max(c['last'], day)
    first_all = day if first_all is None else min(first_all, day)
    last_all = day if last_all is None else max(last_all, day)
    s = r[col[question]]
    if s == '':
        c['U'] += 1
    else:
        s = int(s)
        c['P' if s >= 9 else 'A' if s >= 7 else 'D'] += 1


def fixed(v, places):
    return '' if v is None else '%.*f' % (places, v)


for key in sorted(cells):
    c = cells[key]
    (y, w) = key[-1]
    n = c['P'] + c['A'] + c['D']
    if n:
        p, d = c['P'] / n, c['D'] / n
        nps = 100 * (p - d)
        se = 100 * math.sqrt((p + d - (p - d) ** 2) / n)
    else:
        nps = se = None
    monday = datetime.date.fromisocalendar(y, w, 1)
    sunday = monday + datetime.timedelta(days=6)
    partial = int(first_all > monday or last_all < sunday)
    print('\t'.join(list(key[:-1]) + [
        f'{y}-W{w:02d}', str(n), str(c['P']), str(c['A']), str(c['D']),
        fixed(nps, 2), fixed(se, 2), str(c['U']),
        fixed(n / (n + c['U']), 4), c['first'].isoformat(),
        c['last'].isoformat(), str(partial)]))
