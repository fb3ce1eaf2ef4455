#!/usr/bin/env python3
"""make-corpus.py: rebuilds the tokenizer corpus tests/corpus/*.txt from Debian packages on this machine.

Needs (Debian 12): apt-get install manpages-fr manpages-de manpages-es manpages-ru manpages-ja
manpages-zh manpages-el unicode-data fortunes fortunes-zh (plus the preinstalled iso-codes,
tzdata, zlib1g-dev, python3.11, gzip, debianutils, dpkg-dev and the .mo translation files).
Output depends on the package versions installed; the committed files are what counts, this script
documents how they were made. It writes every corpus file, and sources.tsv (corpus file, source
path, Debian package). whitespace.txt and invalid-utf8.bin are made by make-edge.py.

Every text is made valid UTF-8 (undecodable bytes dropped), NUL bytes and other C0 controls except
TAB/LF/CR/FF are removed, and each source is cut at a line boundary so that no character is split.
"""
import glob, gzip, os, re, struct, subprocess, sys

OUT = os.path.dirname(os.path.abspath(__file__))
sources = []  # (corpus file, source path, package)


def pkg_of(path):
    for p in (path, os.path.realpath(path), re.sub(r'^/usr/', '/', path)):
        r = subprocess.run(['dpkg', '-S', p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(':')[0].strip()
    return '?'


def clean(s):
    return re.sub(r'[\x00-\x08\x0b\x0e-\x1f\x7f]', '', s)


def cut(s, limit):
    """the first whole lines of s holding at most limit UTF-8 bytes (at least one line)"""
    out, n = [], 0
    for line in s.splitlines(keepends=True):
        b = len(line.encode())
        if out and n + b > limit:
            break
        out.append(line)
        n += b
    return ''.join(out)


def read(path):
    raw = gzip.open(path).read() if path.endswith('.gz') else open(path, 'rb').read()
    return clean(raw.decode('utf-8', 'ignore'))


def man(path):
    env = dict(os.environ, MANWIDTH='78', LANG='C.UTF-8', MAN_KEEP_FORMATTING='')
    r = subprocess.run(['man', '--nh', '--nj', '-E', 'UTF-8', '-l', path], capture_output=True, env=env)
    return clean(r.stdout.decode('utf-8', 'ignore'))


class Writer:
    def __init__(self, name, target):
        self.name, self.target, self.parts, self.n = name, target, [], 0

    def full(self):
        return self.n >= self.target

    def add(self, text, src, limit=None, pkg=None):
        if self.full() or not text.strip():
            return
        text = cut(text, min(limit or self.target, self.target - self.n + 4096))
        self.parts.append(text)
        self.n += len(text.encode())
        sources.append((self.name, src, pkg or pkg_of(src)))

    def close(self):
        with open(os.path.join(OUT, self.name), 'w', encoding='utf-8', newline='') as f:
            f.write(''.join(self.parts))
        print(f'{self.name}: {self.n} bytes, {len(self.parts)} parts', file=sys.stderr)


def spread(items, k):
    """k items spread evenly over the sorted list (deterministic variety)"""
    items = sorted(items)
    if len(items) <= k:
        return items
    return [items[i * len(items) // k] for i in range(k)]


def manpages(name, pkgs, target, per_page=6000, k=60):
    w = Writer(name, target)
    pages = []
    for p in pkgs:
        pages += [f for f in subprocess.run(['dpkg', '-L', p], capture_output=True, text=True).stdout.split()
                  if f.endswith('.gz') and '/man/' in f and os.path.isfile(f)]
    for f in spread(pages, k):
        w.add(man(f), f, per_page)
    # go round again with more of each page if the target is not reached
    for f in spread(pages, 10 * k):
        if w.full():
            break
        w.add(man(f), f, per_page)
    w.close()


def fortunes(w, path, limit):
    w.add(read(path), path, limit)


def mo_entries(path):
    """(msgid, msgstr) pairs of a GNU .mo file"""
    d = open(path, 'rb').read()
    magic = struct.unpack('<I', d[:4])[0]
    e = '<' if magic == 0x950412de else '>'
    _, n, oo, ot = struct.unpack(e + '4I', d[4:20])
    for i in range(n):
        lo, so = struct.unpack(e + '2I', d[oo + 8 * i:oo + 8 * i + 8])
        lt, st = struct.unpack(e + '2I', d[ot + 8 * i:ot + 8 * i + 8])
        mid, mstr = d[so:so + lo], d[st:st + lt]
        if mid:
            yield (clean(mid.split(b'\0')[0].decode('utf-8', 'ignore')),
                   clean(mstr.split(b'\0')[0].decode('utf-8', 'ignore')))


def main():
    # English prose: licence text and fortunes (contractions, quotes, dialogue, verse)
    w = Writer('en.txt', 160_000)
    w.add(read('/usr/share/common-licenses/GPL-3'), '/usr/share/common-licenses/GPL-3', 40_000, 'base-files')
    for f in ['fortunes', 'literature', 'wisdom', 'people', 'science', 'songs-poems', 'humorists', 'kids', 'startrek']:
        fortunes(w, '/usr/share/games/fortunes/' + f, 14_000)
    w.close()

    manpages('fr.txt', ['manpages-fr'], 90_000)
    manpages('de.txt', ['manpages-de'], 90_000)
    manpages('es.txt', ['manpages-es'], 90_000)
    manpages('ru.txt', ['manpages-ru'], 90_000)
    manpages('el.txt', ['manpages-el'], 60_000, per_page=30_000)
    manpages('ja.txt', ['manpages-ja'], 90_000)

    w = Writer('zh.txt', 100_000)
    pages = [f for f in subprocess.run(['dpkg', '-L', 'manpages-zh'], capture_output=True, text=True).stdout.split()
             if f.endswith('.gz') and '/man/' in f and os.path.isfile(f)]
    for f in spread([p for p in pages if '/zh_CN/' in p], 12) + spread([p for p in pages if '/zh_TW/' in p], 6):
        w.add(man(f), f, 4000)
    for f in ['tang300', 'song100', 'chinese']:
        fortunes(w, '/usr/share/games/fortunes/' + f, 12_000)
    w.close()

    # other scripts: message catalogues (English msgid, then the translation), per language
    w = Writer('i18n.txt', 130_000)
    for lang in ['ar', 'hi', 'he', 'fa', 'th', 'ko', 'bn', 'ta', 'ka', 'hy', 'am', 'vi', 'tr', 'pl', 'uk', 'it', 'pt_BR', 'km', 'my', 'si']:
        budget = 6500
        for mo in sorted(glob.glob(f'/usr/share/locale/{lang}/LC_MESSAGES/*.mo')):
            if budget <= 0:
                break
            text = ''.join(f'{a}\n{b}\n\n' for a, b in mo_entries(mo) if b and len(a) > 12)
            if text:
                text = cut(text, budget)
                w.add(f'# {lang} {os.path.basename(mo)}\n' + text, mo, budget + 200)
                budget -= len(text.encode())
    w.close()

    w = Writer('code-c.txt', 90_000)
    for f in sorted(glob.glob('/usr/share/doc/zlib1g-dev/examples/*.c')) + ['/usr/include/zlib.h']:
        w.add(read(f), f, 20_000)
    w.close()

    w = Writer('code-py.txt', 90_000)
    for m in ['textwrap', 'shlex', 'fnmatch', 'json/decoder', 'json/encoder', 'calendar', 'string', 'colorsys', 'bisect', 'heapq', 'base64', 'csv']:
        f = f'/usr/lib/python3.11/{m}.py'
        if os.path.isfile(f):
            w.add(read(f), f, 12_000)
    w.close()

    w = Writer('code-sh.txt', 60_000)
    for f in ['/usr/bin/zgrep', '/usr/bin/zdiff', '/usr/bin/znew', '/usr/bin/ldd', '/usr/bin/which', '/usr/bin/gettext.sh',
              '/usr/sbin/add-shell', '/usr/sbin/remove-shell', '/usr/bin/savelog', '/usr/share/debconf/confmodule',
              '/usr/bin/lsb_release'] + sorted(glob.glob('/usr/share/dpkg/*.mk')):
        if os.path.isfile(f):
            w.add(read(f), f, 12_000)
    w.close()

    w = Writer('json.txt', 70_000)
    for f in ['iso_3166-1.json', 'iso_4217.json', 'iso_15924.json', 'iso_639-3.json', 'schema-3166-2.json']:
        p = '/usr/share/iso-codes/json/' + f
        w.add(read(p), p, 20_000)
    w.close()

    # numbers and dates: time zone rules, coordinates, Debian changelog headers, Unicode data fields
    w = Writer('numbers.txt', 90_000)
    for p in ['/usr/share/zoneinfo/tzdata.zi', '/usr/share/zoneinfo/zone1970.tab', '/usr/share/zoneinfo/leap-seconds.list']:
        w.add(read(p), p, 22_000, 'tzdata')
    for p in ['/usr/share/doc/tzdata/changelog.Debian.gz', '/usr/share/doc/dpkg/changelog.gz']:
        if os.path.isfile(p):
            w.add(read(p), p, 12_000)
    w.add(read('/usr/share/unicode/UnicodeData.txt')[300_000:], '/usr/share/unicode/UnicodeData.txt', 12_000)
    w.close()

    # emoji: every n-th line of the Unicode emoji test file (all groups, ZWJ sequences, skin tones, flags)
    w = Writer('emoji.txt', 100_000)
    lines = read('/usr/share/unicode/emoji/emoji-test.txt').splitlines(keepends=True)
    keep = [l for i, l in enumerate(lines) if l.startswith('#') or i % 6 == 0]
    w.add(''.join(keep), '/usr/share/unicode/emoji/emoji-test.txt')
    w.close()

    # every script: "<char> U+XXXX NAME" for characters spread over UnicodeData.txt (graphic ones only)
    w = Writer('unicode.txt', 70_000)
    rows = []
    for l in open('/usr/share/unicode/UnicodeData.txt', encoding='utf-8'):
        f = l.split(';')
        cp, name, cat = int(f[0], 16), f[1], f[2]
        if cat[0] in 'LMNPS' and not name.startswith('<') and cp not in range(0xD800, 0xE000):
            rows.append((cp, name, cat))
    text = ''.join(f'{chr(cp)}\tU+{cp:04X}\t{cat}\t{name}\n' for cp, name, cat in rows[::25])
    w.add(text, '/usr/share/unicode/UnicodeData.txt')
    w.close()

    with open(os.path.join(OUT, 'sources.tsv'), 'w') as f:
        f.write('corpus_file\tsource\tdebian_package\n')
        for row in sources:
            f.write('\t'.join(row) + '\n')


main()
