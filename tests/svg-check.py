#!/usr/bin/env python3
"""svg-check.py FILE.svg...: the accessibility promises of nps-plot(1),
computed from each SVG (or from each <svg> inside an HTML page):

- well-formed XML; the root <svg> has role="img" and aria-labelledby
  naming a non-empty <title> and <desc>;
- every mark (class "mark") has its colours at least 3:1 against the
  white background (WCAG 1.4.11), every text at least 4.5:1 (1.4.3);
  white text sits on marks, so it must reach 4.5:1 against each mark
  fill it may sit on;
- colour is never the only cue (1.4.1): point markers of different
  colours differ in shape, and every colour of a bar has a key with words;
- the mark colours stay apart under a deuteranopia simulation (Machado,
  Oliveira & Fernandes 2009, severity 1): every pair at least 30 apart
  in simulated sRGB (0..255).
Exit 1 naming each failure."""
import re
import sys
import xml.etree.ElementTree as ET

NS = '{http://www.w3.org/2000/svg}'

def rgb(c):
    c = c.strip()
    if not re.fullmatch(r'#[0-9A-Fa-f]{6}', c):
        return None
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))

def lin(v):
    v /= 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

def luminance(c):
    r, g, b = (lin(x) for x in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b

def contrast(a, b):
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)

DEUT = ((0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881))

def deuteranopia(c):
    l = [lin(x) for x in c]
    out = []
    for row in DEUT:
        v = min(max(sum(m * x for m, x in zip(row, l)), 0), 1)
        v = 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055
        out.append(v * 255)
    return out

WHITE = (255, 255, 255)

def check(root, where):
    bad = []
    svgs = [root] if root.tag == NS + 'svg' else list(root.iter(NS + 'svg'))
    if not svgs:
        return [f'{where}: no <svg>']
    for svg in svgs:
        ids = {e.get('id'): e for e in svg.iter() if e.get('id')}
        if svg.get('role') != 'img':
            bad.append(f'{where}: <svg> has no role="img"')
        names = (svg.get('aria-labelledby') or '').split()
        tags = sorted(ids[n].tag.replace(NS, '') for n in names if n in ids)
        if tags != ['desc', 'title'] or any(not (ids[n].text or '').strip() for n in names):
            bad.append(f'{where}: aria-labelledby does not name a <title> and a <desc> with text')
        marks, shapes, bar_colours, key_colours = set(), {}, set(), set()
        for e in svg.iter():
            cls = (e.get('class') or '').split()
            tag = e.tag.replace(NS, '')
            if 'mark' in cls:
                for attr in ('fill', 'stroke'):
                    c = rgb(e.get(attr) or '')
                    if c is None or c == WHITE:
                        continue
                    marks.add(c)
                    if contrast(c, WHITE) < 3:
                        bad.append(f'{where}: mark {tag} {attr} {e.get(attr)} is {contrast(c, WHITE):.2f}:1 against white')
                fill = rgb(e.get('fill') or '')
                if tag in ('circle', 'polygon') or (tag == 'rect' and e.get('width') == e.get('height') and 'key' not in cls):
                    colour = rgb(e.get('stroke') or '') or fill
                    shape = tag + str(len((e.get('points') or '').split()))
                    if (e.get('points') or '') and tag == 'polygon':
                        pts = [tuple(map(float, p.split(','))) for p in e.get('points').split()]
                        if len(pts) == 3:
                            shape += 'up' if pts[0][1] < pts[1][1] else 'down'
                    shapes.setdefault(colour, set()).add(shape)
                elif tag == 'rect' and 'key' not in cls:
                    bar_colours.add(fill)
                if 'key' in cls:
                    key_colours.add(fill or rgb(e.get('stroke') or ''))
        texts = [e for e in svg.iter(NS + 'text')]
        for t in texts:
            c = rgb(t.get('fill') or '#000000')
            if c == WHITE:
                for b in bar_colours:
                    if contrast(c, b) < 4.5:
                        bad.append(f'{where}: white text on a bar of {b} is {contrast(c, b):.2f}:1')
            elif contrast(c, WHITE) < 4.5:
                bad.append(f'{where}: text {t.get("fill")} is {contrast(c, WHITE):.2f}:1 against white')
        # one colour, one shape (flagged and partial marks aside: they add
        # a shape of their own to a colour, never share one across colours)
        owner = {}
        for colour, ss in shapes.items():
            for s in ss:
                if s in owner and owner[s] != colour:
                    bad.append(f'{where}: markers of two colours share the shape {s}: colour is the only cue')
                owner[s] = colour
        for b in bar_colours:
            if b not in key_colours:
                bad.append(f'{where}: bars of colour {b} have no key')
        ms = sorted(marks)
        for i in range(len(ms)):
            for j in range(i + 1, len(ms)):
                a, b = deuteranopia(ms[i]), deuteranopia(ms[j])
                d = sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5
                if d < 30:
                    bad.append(f'{where}: mark colours {ms[i]} and {ms[j]} are {d:.1f} apart under deuteranopia')
    return bad

def main():
    bad = []
    for path in sys.argv[1:]:
        text = open(path, encoding='utf-8').read()
        if path.endswith('.html'):
            # the page's inline SVGs, each parsed as XML
            for k, m in enumerate(re.finditer(r'<svg\b.*?</svg>', text, re.S)):
                try:
                    bad += check(ET.fromstring(m.group(0)), f'{path} svg {k + 1}')
                except ET.ParseError as e:
                    bad.append(f'{path} svg {k + 1}: not well-formed XML: {e}')
            continue
        try:
            bad += check(ET.fromstring(text), path)
        except ET.ParseError as e:
            bad.append(f'{path}: not well-formed XML: {e}')
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)

main()
