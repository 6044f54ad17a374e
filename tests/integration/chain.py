#!/usr/bin/env python3
"""The audit chain of a docket export, recomputed from the README's description alone.

Usage:
  chain.py check EXPORT
      recomputes every event's hash (canonical bytes version 1, or 2 with a base) and the header's head;
      prints "ok N HEAD" and exits 0, or names the first line that does not match and exits 1.
  chain.py log PREFIX DUMP
      checks a shared log as `etcdctl get PREFIX/ --prefix -w json` printed it (DUMP), from the
      README's section on the shared log alone: PREFIX/log/N for N = 1, 2, ... without gaps,
      each entry's hash the SHA-256 of the one before it (32 zero bytes before the first) and
      of its canonical bytes, PREFIX/ev/UUID the position of each entry, and PREFIX/head its
      length and last hash; prints "ok shared:POS:HEX" and exits 0, or names the first key that
      does not match and exits 1.
  chain.py rewrite EXPORT SEQ VALUE OUT [FIELD]
      writes OUT: EXPORT with event SEQ's FIELD (default: reason) replaced by VALUE and every
      hash from there on, and the header's head, recomputed: a forgery that is consistent in
      itself.
"""
import hashlib
import json
import struct
import sys

FIELDS = ["uuid", "batch", "event_type", "item", "subject", "old", "new", "reason", "eff",
          "recorded", "actor", "login", "replica"]


def put(b, s):
    if s is None:
        b += b"\xff\xff\xff\xff"
    else:
        v = s.encode("utf-8")
        b += struct.pack(">I", len(v)) + v


def canon(e):
    # Version 2 (an event with a base) puts the base, in decimal, after the replica.
    b = bytearray(b"docket-event" + (b"\x02" if "base" in e else b"\x01"))
    for f in FIELDS:
        put(b, e.get(f))
    if "base" in e:
        put(b, str(e["base"]))
    attrs = e.get("attrs") or {}
    b += struct.pack(">I", len(attrs))
    for k in sorted(attrs, key=lambda k: k.encode("utf-8")):
        put(b, k)
        put(b, attrs[k])
    return bytes(b)


def load(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def check_log(prefix, dump):
    """The shared log under PREFIX in an etcdctl JSON dump; see the usage above."""
    import base64
    with open(dump, encoding="utf-8") as f:
        kvs = json.load(f).get("kvs", [])
    keys = {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv["value"]).decode()
            for kv in kvs}
    log = sorted(k for k in keys if k.startswith(prefix + "/log/"))
    prev = bytes(32)
    for pos, key in enumerate(log, start=1):
        if key != "%s/log/%020d" % (prefix, pos):
            print("%s: expected position %d here" % (key, pos))
            return 1
        e = json.loads(keys[key])
        h = hashlib.sha256(prev + canon(e)).hexdigest()
        if h != e.get("hash"):
            print("%s: computed %s, the entry says %s" % (key, h, e.get("hash")))
            return 1
        if keys.get("%s/ev/%s" % (prefix, e["uuid"])) != str(pos):
            print("%s/ev/%s: not %d" % (prefix, e["uuid"], pos))
            return 1
        prev = bytes.fromhex(h)
    head = json.loads(keys.get(prefix + "/head", '{"pos": 0, "hash": "%s"}' % ("0" * 64)))
    if head.get("pos") != len(log) or head.get("hash") != prev.hex():
        print("%s/head: %s; computed %d, %s" % (prefix, head, len(log), prev.hex()))
        return 1
    ev = [k for k in keys if k.startswith(prefix + "/ev/")]
    if len(ev) != len(log):
        print("%d keys under %s/ev/ for %d entries" % (len(ev), prefix, len(log)))
        return 1
    print("ok shared:%d:%s" % (len(log), prev.hex()))
    return 0


def main():
    if sys.argv[1] == "log":
        return check_log(sys.argv[2], sys.argv[3])
    mode, path = sys.argv[1], sys.argv[2]
    lines = load(path)
    header = json.loads(lines[0])
    prev = bytes(32)
    out = [None]
    count = 0
    for n, text in enumerate(lines[1:], start=2):
        o = json.loads(text)
        if o.get("type") != "event":
            out.append(text)
            continue
        count += 1
        if mode == "rewrite" and o["seq"] == int(sys.argv[3]):
            o[sys.argv[6] if len(sys.argv) > 6 else "reason"] = sys.argv[4]
        h = hashlib.sha256(prev + canon(o)).hexdigest()
        if mode == "check" and h != o["hash"]:
            print("line %d: event %d: computed %s, export says %s" % (n, o["seq"], h, o["hash"]))
            return 1
        o["hash"] = h
        prev = bytes.fromhex(h)
        out.append(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
    head = prev.hex() if count else "0" * 64
    if mode == "check":
        if header.get("events") != count or header.get("head") != head:
            print("header: %s events, head %s; computed %d, %s" %
                  (header.get("events"), header.get("head"), count, head))
            return 1
        print("ok %d %s" % (count, head))
        return 0
    header["head"] = head
    out[0] = json.dumps(header, separators=(",", ":"))
    with open(sys.argv[5], "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
