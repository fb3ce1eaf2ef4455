#!/usr/bin/env python3
"""make-edge.py: writes the two hand-made corpus files (their text is written for this project, CC0):
whitespace.txt: whitespace runs, contractions, numbers, dates, punctuation and mixed scripts, the
cases that pre-tokenizers split in special ways; invalid-utf8.bin: text with invalid UTF-8 bytes.
Deterministic: rerunning gives the same bytes."""
import os

OUT = os.path.dirname(os.path.abspath(__file__))
L = []  # output pieces

words = ['the', 'cat', "don't", 'sat', 'on', "I'LL", 'mat', 'π', 'naïve', 'мир', '世界']

# 1. runs of spaces between words, before and after text
L.append('# spaces between words, 1 to 40\n')
for n in range(1, 41):
    L.append(f'a{" " * n}b{" " * n}{words[n % len(words)]}\n')
L.append('# leading spaces\n')
for n in range(0, 33, 3):
    L.append(' ' * n + f'indented by {n}\n')
L.append('# trailing spaces and tabs\n')
for n in range(1, 20):
    L.append(f'line with {n} trailing' + ' ' * n + '\n')
    L.append(f'line with {n} trailing tabs' + '\t' * (n % 5 + 1) + '\n')
L.append('# tabs\n')
for n in range(1, 12):
    L.append('\t' * n + f'tab{n}\tx\t\ty\n')
    L.append(' \t' * n + 'mixed\t \t \tspace tab\n')
L.append('\t\n \n\t \n \t\n')
L.append('# blank line runs\n')
for n in range(1, 10):
    L.append(f'before {n} blank lines\n' + '\n' * n + 'after\n')
L.append('# only whitespace lines\n')
L.append('    \n\t\t\n        \n \n  \n   \n\n\n    \t    \n')
L.append('# CRLF and lone CR and form feed\n')
for w in words:
    L.append(f'{w} with CRLF\r\n')
L.append('lone\rcarriage\rreturns\r\n\r\n\f form feed\f\n')
L.append('# other spaces: NBSP, en/em/thin/ideographic, zero width, BOM\n')
L.append('a\u00a0b\u00a0\u00a0c d\u2002e\u2003f\u2009g\u3000h\u3000\u3000i\u200bj\u200ck\u200dl\ufeffm\n')
L.append('\ufeffline starting with a BOM\n\u00a0\u00a0leading NBSP\n')

# 2. contractions and apostrophes
L.append('# contractions\n')
for w in ["don't", "Don't", "DON'T", "I'll", "I'LL", "i'll", "we've", "WE'VE", "they're", "THEY'RE", "it's", "IT'S",
          "you'd", "YOU'D", "I'm", "I'M", "can't", "won't", "shan't", "y'all", "o'clock", "rock 'n' roll", "'tis",
          "the dogs' bones", "James's", "'quoted'", "''double''", "don’t", "I’LL", "l'homme", "aujourd'hui",
          "dell'arte", "Ma'am", "ne'er-do-well", "'s 's 're 've 'm 'll 'd", "'S 'RE 'VE 'M 'LL 'D", "x's", "123's"]:
    L.append(f'{w} | {w.upper()} | {w.capitalize()} |{w}|\n')
L.append("He said, \"I don't know,\" and she'd've said 'no'. They'LL see. DON'T! It'S fine.\n")

# 3. numbers and dates
L.append('# numbers\n')
for x in ['0', '7', '42', '123', '1234', '12345', '123456', '1234567', '12345678901234567890', '3.14159', '-2.5',
          '1,000,000', '1.000.000,50', '1e-10', '6.022e23', '0x1F', '0xDEADBEEF', '0b1011', '0o755', '007',
          '½', '¾', '²', '①', '٣٤٥', '४२', '一二三', '１２３', 'Ⅻ', '+33 1 23 45 67 89', '(555) 123-4567', '10%',
          '$9.99', '€5', '£3.50', '¥100', '3/4', '1:2', '192.168.0.1', '::1', 'v1.2.3-rc4', 'CVE-2021-44228']:
    L.append(f'{x} {x}{x} x{x}y [{x}]\n')
for i in range(0, 60):
    L.append(f'{i * 37 % 1000:>4} {i ** 3:>8} {i * 1.25:9.3f} {i * 7919 % 100000:06d}\n')
L.append('# dates and times\n')
for y, m, d in [(1970, 1, 1), (1999, 12, 31), (2000, 2, 29), (2024, 7, 14), (2026, 11, 25), (2038, 1, 19)]:
    L.append(f'{y}-{m:02d}-{d:02d} {d}/{m}/{y} {m}/{d}/{y % 100:02d} {d}.{m}.{y} {y}{m:02d}{d:02d}T12:34:56Z '
             f'{y}-{m:02d}-{d:02d}T23:59:59+05:30 {d:02d}:{m:02d}:{y % 100:02d}\n')
L.append('Mon, 25 Nov 2026 16:05:02 +0000 | Tuesday, November 25th, 2026 | 25 novembre 2026 | 2026年11月25日 | 25. Nov. 2026\n')
L.append('12:00am 12:00 PM 0:00 23:59:59.999 1h30m 90s 3 p.m. 10 o\'clock\n')

# 4. punctuation
L.append('# punctuation\n')
for p in ['!', '!!', '!!!', '?', '?!', '...', '…', '--', '---', '—', '–', '-', '_', '__init__', '____', '====',
          '****', '~~~', '```', '"', '""', "''", '«»', '„“', '‘’', '“”', '()', '[]', '{}', '<>', '</>', '=>', '->',
          '::', ';;', '@@', '##', '$$', '%%', '^^', '&&', '||', '\\\\', '//', '/*', '*/', '#!', '¡¿', '؟', '،', '。',
          '、', '「」', '『』', '《》', '・', '！', '？', '：']:
    L.append(f'word{p}word {p}start end{p} {p}{p}{p}\n')

# 5. mixed scripts and emoji inside words
L.append('# mixed scripts\n')
for s in ['Hello мир 世界 مرحبا नमस्ते γειά שלום こんにちは 안녕하세요 สวัสดี',
          'iPhone15Pro: 128GB—€999 (inkl. MwSt.) / ¥128,800 税込',
          'naïve café résumé coöperate façade Ångström Øre Łódź İstanbul ıi ß ẞ ﬁ ﬂ',
          'Ελληνικά和English混合テキストwith数字123と记号!',
          'e\u0301 a\u0300 n\u0303 (combining) vs é à ñ (precomposed); Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f',
          'emoji in words: a😀b 😀😀😀 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇩🇪 #️⃣ 1️⃣ ❤️ ©️ ™ 🦙.cpp',
          'right-to-left: עברית (Hebrew) and العربية (Arabic) mixed with LTR 123',
          'snake_case camelCase PascalCase kebab-case SCREAMING_CASE dot.case path/to/file.txt',
          'https://example.org/a/b?c=d&e=f#g user@example.com @handle #hashtag']:
    L.append(s + '\n' + s.upper() + '\n')

open(os.path.join(OUT, 'whitespace.txt'), 'w', encoding='utf-8', newline='').write(''.join(L))

# invalid UTF-8: each case sits between ASCII words, one per line. F4 90 80 80 (U+110000) is left out:
# llama.cpp's GPT-2 BPE path aborts on it (uncaught std::invalid_argument "invalid codepoint").
bad = [b'\xff', b'\xfe', b'\xc3', b'\xc3\x28', b'\xa0\xa1', b'\xe2\x28\xa1', b'\xe2\x82', b'\xf0\x9f\x98',
       b'\xf0\x28\x8c\xbc', b'\xc0\xaf', b'\xe0\x80\xaf', b'\xed\xa0\x80', b'\xf8\x88\x80\x80\x80',
       b'\x80', b'\xbf\xbf', b'caf\xe9', b'na\xefve']
out = b'valid start: Hello world, \xc3\xa9t\xc3\xa9\n'
for i, b in enumerate(bad):
    out += b'case %d: a' % i + b + b'b ' + b + b' end' + b + b'\n'
out += b'valid end: \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\x98\x80\n'
open(os.path.join(OUT, 'invalid-utf8.bin'), 'wb').write(out)
