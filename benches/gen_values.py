#!/usr/bin/env python3
"""Writes a RESP stream of SET commands for benches/compression.sh and startup.sh.

    gen_values.py text KEYS SIZE   # KEYS keys of about SIZE bytes of realistic text:
                                   # JSON-like records of words, names, numbers and
                                   # timestamps (compressible as application data is,
                                   # not as a run of one byte is)
    gen_values.py small KEYS       # KEYS keys key:<n> with short values (startup.sh)
    gen_values.py gets KEYS COUNT  # COUNT GETs of random keys among KEYS small ones

Deterministic (fixed seed), so every codec loads the same bytes.
"""
import itertools
import random
import sys

out = sys.stdout.buffer


def resp(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


def text(keys, size):
    rnd = random.Random(42)
    syllables = ["ka", "lo", "mi", "ne", "ra", "to", "su", "vi", "de", "an", "or", "el", "is", "um", "ba", "ter", "gon", "ship"]
    words = ["".join(rnd.choice(syllables) for _ in range(rnd.randint(1, 4))) for _ in range(5000)]
    # Zipf-like: some words far more frequent than others, as in real text.
    weights = [1.0 / (i + 1) for i in range(len(words))]
    cum = list(itertools.accumulate(weights))
    cities = ["Paris", "Lyon", "Berlin", "Madrid", "Rome", "Oslo", "Vienna", "Prague", "Lisbon", "Dublin"]
    # A pool of text bodies (drawing words per key would take minutes for 1 GB);
    # values differ in their header fields and in which body they carry. RocksDB
    # compresses each 4 KiB block on its own, so a body repeated elsewhere in the file
    # does not make the data more compressible than real records.
    bodies = [" ".join(rnd.choices(words, cum_weights=cum, k=size // 5)).encode() for _ in range(4000)]
    buf = []
    for i in range(keys):
        head = b'{"id":%d,"user":"%s","city":"%s","ts":%d,"score":%.3f,"tags":["%s","%s"],"text":"' % (
            i, rnd.choice(words).encode(), rnd.choice(cities).encode(), 1700000000 + rnd.randint(0, 10**7),
            rnd.random() * 1000, rnd.choice(words).encode(), rnd.choice(words).encode())
        body = rnd.choice(bodies)
        value = head + body[: max(0, size - 3 - len(head))] + b'"}'
        buf.append(resp(b"SET", b"rec:%08d" % i, value))
        if len(buf) >= 1000:
            out.write(b"".join(buf))
            buf.clear()
    out.write(b"".join(buf))


def small(keys):
    buf = []
    for i in range(keys):
        buf.append(resp(b"SET", b"key:%d" % i, b"value:%d" % i))
        if len(buf) >= 10000:
            out.write(b"".join(buf))
            buf.clear()
    out.write(b"".join(buf))


def gets(keys, count):
    rnd = random.Random(7)
    buf = []
    for _ in range(count):
        buf.append(resp(b"GET", b"key:%d" % rnd.randrange(keys)))
        if len(buf) >= 10000:
            out.write(b"".join(buf))
            buf.clear()
    out.write(b"".join(buf))


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "text":
        text(int(sys.argv[2]), int(sys.argv[3]))
    elif kind == "gets":
        gets(int(sys.argv[2]), int(sys.argv[3]))
    else:
        small(int(sys.argv[2]))
