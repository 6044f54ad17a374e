#!/usr/bin/env python3
"""The audit chain of a docket export, recomputed from the README's description alone.

Usage:
  chain.py check EXPORT
      recomputes every event's hash (canonical bytes version 1, or 2 with a base) and the header's head;
      prints "ok N HEAD" and exits 0, or names the first line that does not match and exits 1.
  chain.py log PREFIX DUMP
      checks a shared log as `etcdctl get PREFIX/ --prefix -w json` printed it (DUMP), from the
      README's section on the shared log alone, with hashlib and the openssl command: the keys
      (PREFIX/log/N for N = 1, 2, ... without gaps, PREFIX/ev/UUID the position of each entry,
      PREFIX/head the log's length and last hash); each entry's hash, the SHA-256 of the hash
      the entry before it states (32 zero bytes before the first) and of its canonical bytes;
      and, from the first signed entry on, each signature (`openssl pkeyutl -verify`, one
      process a signature: keep such logs to tens or hundreds of entries) under the key the
      log binds to the entry's replica, and the office's admission, as every office checks
      them. Prints one line per entry that fails, "KEY: REASON: ..." with REASON the one docket
      quarantines it for (chain, signature, not admitted, revoked), and goes on with the next
      as docket does; then one line per office, "office NAME FINGERPRINT ..." worded as
      `docket office list` words it; then "entries N, signed S, signatures checked V, failed
      F"; then "ok shared:POS:HEX" (exit 0), or "failed shared:POS:HEX" (exit 1): the shared
      chain's head, which every office prints alike. An entry that is no docket event (docket
      stops there) or a gap in the positions ends the check at once (exit 1).
  chain.py rules PREFIX DIR
      writes into DIR a shared log made by hand under PREFIX, keys and signatures made with the
      openssl command, whose entries exercise each admission rule: DIR/puts.json (the keys and
      values to put in etcd, in order), DIR/dump.json (as etcdctl would print them) and
      DIR/expect ("KEY: REASON" for each entry that docket must quarantine, in log order).
  chain.py rewrite EXPORT SEQ VALUE OUT [FIELD]
      writes OUT: EXPORT with event SEQ's FIELD (default: reason) replaced by VALUE and every
      hash from there on, and the header's head, recomputed: a forgery that is consistent in
      itself.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import uuid

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


# ---- the shared log: chain, signatures and admissions (README, "The shared log, for other
# programs"), with hashlib and the openssl command alone ----

# An Ed25519 public key as DER SubjectPublicKeyInfo is this prefix and its 32 raw bytes.
ED25519_DER_PREFIX = bytes.fromhex("302a300506032b6570032100")
REQUIRED = ["uuid", "batch", "event_type", "reason", "eff", "recorded", "actor", "login",
            "replica"]


class NotEvent(Exception):
    """An entry that is no docket event: docket stops there, and so does the check."""


def no_duplicates(pairs):
    o = {}
    for k, v in pairs:
        if k in o:
            raise NotEvent("the key %r appears twice" % k)
        o[k] = v
    return o


def parse_entry(text):
    """The entry's JSON object, with its fields checked as docket reads them; raises NotEvent."""
    try:
        e = json.loads(text, object_pairs_hook=no_duplicates)
    except ValueError as x:
        raise NotEvent("not JSON: %s" % x)
    if not isinstance(e, dict):
        raise NotEvent("not a JSON object")
    for f in FIELDS:
        if e.get(f) is not None and not isinstance(e[f], str):
            raise NotEvent("'%s' is not a string" % f)
    for f in REQUIRED:
        if e.get(f) is None:
            raise NotEvent("'%s' is missing" % f)
    attrs = e.get("attrs")
    if attrs is not None and (not isinstance(attrs, dict) or
                              not all(isinstance(v, str) for v in attrs.values())):
        raise NotEvent("'attrs' is not an object of strings")
    if "base" in e and (type(e["base"]) is not int or e["base"] < 0):
        raise NotEvent("'base' is not a whole number from 0")
    if "sig" in e and not (isinstance(e["sig"], str) and re.fullmatch("[0-9a-f]{128}", e["sig"])):
        raise NotEvent("'sig' is not 128 lower-case hex digits")
    if not (isinstance(e.get("hash"), str) and re.fullmatch("[0-9a-f]{64}", e["hash"])):
        raise NotEvent("'hash' is not 64 lower-case hex digits")
    try:
        canon(e)
    except UnicodeEncodeError:
        raise NotEvent("a field is not UTF-8 text")
    return e


def raw_key(text):
    """The 32 bytes of a public key written as 64 lower-case hex digits, or None."""
    if isinstance(text, str) and re.fullmatch("[0-9a-f]{64}", text):
        return bytes.fromhex(text)
    return None


def fingerprint(key):
    return hashlib.sha256(key).hexdigest()


class Openssl:
    """Ed25519 verification by `openssl pkeyutl -verify`, one process per signature."""

    def __init__(self, workdir):
        self.dir = workdir
        self.pems = {}
        self.count = 0

    def pem(self, key):
        if key not in self.pems:
            path = os.path.join(self.dir, "key%d.pem" % len(self.pems))
            b64 = base64.b64encode(ED25519_DER_PREFIX + key).decode()
            with open(path, "w") as f:
                f.write("-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" % b64)
            self.pems[key] = path
        return self.pems[key]

    def verify(self, key, msg, sig):
        canon_path = os.path.join(self.dir, "canon.bin")
        sig_path = os.path.join(self.dir, "sig.bin")
        with open(canon_path, "wb") as f:
            f.write(msg)
        with open(sig_path, "wb") as f:
            f.write(sig)
        self.count += 1
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", self.pem(key),
                            "-rawin", "-in", canon_path, "-sigfile", sig_path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return r.returncode == 0 and b"Signature Verified Successfully" in r.stdout


class Offices:
    """Who may write to the log, from the entries applied before the one checked."""

    def __init__(self, openssl):
        self.openssl = openssl
        self.founder = None    # (replica, name, position)
        self.latest = {}       # replica -> (name, new) of its latest applied office event
        self.first = {}        # replica -> position of its first applied office event
        self.decisions = []    # (type, name, fingerprint, replica, position): applied, signed
        self.holder = {}       # key (hex) -> the replica whose applied office event first had it

    def bound(self, replica):
        """(name, key) that REPLICA's latest applied office event announced, or None."""
        if replica not in self.latest:
            return None
        name, new = self.latest[replica]
        key = raw_key(new)
        return (name, key) if key else None

    def decided(self, kind, name, fp, by=None):
        """The first applied decision KIND about (NAME, FP), by replica BY if given, or None."""
        for d in self.decisions:
            if d[0] == kind and d[1] == name and d[2] == fp and (by is None or d[3] == by):
                return d
        return None

    def rekey_by(self, name):
        """Who may rekey office NAME: the founder alone for the founder's name, else anyone."""
        return self.founder[0] if name == self.founder[1] else None

    def check(self, pos, e, canonical, stated):
        """None when the entry at POS may be applied, else (reason, why), the reason as docket
        quarantines it. STATED: the hash each position before POS states."""
        sig = bytes.fromhex(e["sig"]) if "sig" in e else None
        replica = e["replica"]
        announced = None
        if e["event_type"] == "office" and e.get("subject") is not None:
            announced = raw_key(e.get("new"))
        if self.founder is None:
            # Before the log's first signed entry, unsigned entries stand (logs made before
            # offices signed); the first signed one founds the log.
            if sig is None:
                return None
            if announced is None:
                return ("not admitted", "the log's first signed entry is no office event "
                        "announcing a key")
            if not self.openssl.verify(announced, canonical, sig):
                return ("signature", "the founding office event does not verify under the key "
                        "it announces, %s" % fingerprint(announced))
            head = (e.get("attrs") or {}).get("head")
            m = re.fullmatch(r"(\d+):([0-9a-f]{64})", head or "")
            if not m or int(m.group(1)) >= pos or stated[int(m.group(1))].hex() != m.group(2):
                return ("chain", "the founding office event states the head %r, not this "
                        "log's at a position before it" % head)
            return None
        if sig is None:
            return ("signature", "unsigned, after office %s founded the log at %d"
                    % (self.founder[1], self.founder[2]))
        b = self.bound(replica)
        if announced is not None:
            fp = fingerprint(announced)
            if b and announced != b[1]:
                # A new key for an office that has one: only a rekey of its name binds it.
                if not self.decided("rekey", b[0], fp, self.rekey_by(b[0])):
                    if self.openssl.verify(b[1], canonical, sig):
                        return ("not admitted", "announces a new key %s for office %s, which "
                                "no rekey binds" % (fp, b[0]))
                    return ("signature", "announces a new key %s for office %s, and verifies "
                            "under neither" % (fp, b[0]))
            holder = self.holder.get(announced.hex())
            if b is None and holder is not None and holder != replica:
                # A key is one store's: under a new replica id it is a copy's.
                if self.openssl.verify(announced, canonical, sig):
                    return ("not admitted", "announces key %s, which another replica's office "
                            "event announced first" % fp)
                return ("signature", "announces key %s, another replica's, and does not verify "
                        "under it" % fp)
            name, key = (b[0] if b else e["subject"]), announced
        elif b is None:
            return ("not admitted", "no office event of this replica was applied: it has no key")
        else:
            name, key = b
        fp = fingerprint(key)
        if not self.openssl.verify(key, canonical, sig):
            return ("signature", "does not verify under office %s's key %s" % (name, fp))
        revoked = self.decided("revoke", name, fp, self.founder[0])
        if revoked:
            return ("revoked", "office %s, key %s, was revoked by the founder at %d"
                    % (name, fp, revoked[4]))
        if replica != self.founder[0] and not self.decided("admit", name, fp) and \
                not self.decided("rekey", name, fp, self.rekey_by(name)):
            return ("not admitted", "no admit or rekey of office %s, key %s, was applied before"
                    % (name, fp))
        return None

    def apply(self, pos, e):
        if "sig" not in e:
            return  # an unsigned entry (before the founder's) binds and decides nothing
        kind, replica = e["event_type"], e["replica"]
        if kind == "office":
            if self.founder is None:
                self.founder = (replica, e["subject"], pos)
            self.latest[replica] = (e["subject"], e.get("new"))
            self.holder.setdefault(e.get("new"), replica)
            self.first.setdefault(replica, pos)
        elif kind in ("admit", "revoke", "rekey") and e.get("item") is None:
            self.decisions.append((kind, e.get("subject"), e.get("new"), replica, pos))

    def standing(self, name, fp, founder):
        """How `docket office list` words an office's admission and revocation."""
        if founder:
            text = "founded the log at %d" % self.founder[2]
        else:
            by = [d for d in self.decisions if d[0] in ("admit", "rekey") and d[1:3] == (name, fp)]
            text = ("admitted by %s at %d" % (self.latest[by[0][3]][0], by[0][4]) if by
                    else "not admitted")
        revoked = self.decided("revoke", name, fp, self.founder[0])
        return text + (", revoked at %d" % revoked[4] if revoked else "")

    def report(self):
        """One line per office, as `docket office list` lists them: each replica's latest
        office event, in the order of their first ones, then the keys admitted that no office
        event has announced: "office NAME FINGERPRINT STANDING"."""
        lines, seen = [], set()
        for replica in sorted(self.first, key=self.first.get):
            name, new = self.latest[replica]
            key = raw_key(new)
            fp = fingerprint(key) if key else "-"
            seen.add(fp)
            lines.append("office %s %s %s" % (name, fp, self.standing(name, fp,
                                                                     replica == self.founder[0])))
        for d in self.decisions:
            if d[0] in ("admit", "rekey") and d[2] not in seen:
                seen.add(d[2])
                lines.append("office %s %s %s, not seen in the log yet"
                             % (d[1], d[2], self.standing(d[1], d[2], False)))
        return lines


def check_log(prefix, dump):
    """The shared log under PREFIX in an etcdctl JSON dump; see the usage above."""
    with open(dump, encoding="utf-8") as f:
        kvs = json.load(f).get("kvs", [])
    keys = {}
    for kv in kvs:
        keys[base64.b64decode(kv["key"]).decode("utf-8", "replace")] = \
            base64.b64decode(kv.get("value", "")).decode("utf-8", "surrogateescape")
    # Only PREFIX/log/ and 20 digits: trackers under nested prefixes (PREFIX/log/...) are not
    # this log's.
    log = sorted(k for k in keys if re.fullmatch(re.escape(prefix) + r"/log/[0-9]{20}", k))
    if shutil.which("openssl") is None:
        print("chain.py: needs the openssl command", file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="chain-")
    try:
        return walk(prefix, keys, log, Openssl(workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def walk(prefix, keys, log, openssl):
    offices = Offices(openssl)
    stated = [bytes(32)]  # the hash each position states; the next entry chains from it
    failed = signed = 0
    for pos, key in enumerate(log, start=1):
        if key != "%s/log/%020d" % (prefix, pos):
            print("%s: expected position %d here" % (key, pos))
            return 1
        try:
            e = parse_entry(keys[key])
        except NotEvent as x:
            print("%s: not a docket event (docket stops here): %s" % (key, x))
            return 1
        if keys.get("%s/ev/%s" % (prefix, e["uuid"])) != str(pos):
            print("%s/ev/%s: not %d" % (prefix, e["uuid"], pos))
            failed += 1
        signed += "sig" in e
        c = canon(e)
        h = hashlib.sha256(stated[-1] + c).hexdigest()
        if h != e["hash"]:
            verdict = ("chain", "computed %s, the entry says %s" % (h, e["hash"]))
        else:
            verdict = offices.check(pos, e, c, stated)
        if verdict:
            print("%s: %s: %s event of replica %s: %s" % (key, verdict[0], e["event_type"],
                                                         e["replica"], verdict[1]))
            failed += 1
        else:
            offices.apply(pos, e)
        stated.append(bytes.fromhex(e["hash"]))
    last = stated[-1].hex()
    try:
        head = json.loads(keys.get(prefix + "/head", '{"pos": 0, "hash": "%s"}' % ("0" * 64)))
    except ValueError:
        head = keys.get(prefix + "/head")
    if not isinstance(head, dict) or head.get("pos") != len(log) or head.get("hash") != last:
        print("%s/head: %s; computed %d, %s" % (prefix, head, len(log), last))
        failed += 1
    ev = [k for k in keys if re.fullmatch(re.escape(prefix) + r"/ev/[^/]+", k)]
    if len(ev) != len(log):
        print("%d keys under %s/ev/ for %d entries" % (len(ev), prefix, len(log)))
        failed += 1
    if offices.founder:
        print("\n".join(offices.report()))
    print("entries %d, signed %d, signatures checked %d, failed %d"
          % (len(log), signed, openssl.count, failed))
    print("%s shared:%d:%s" % ("failed" if failed else "ok", len(log), last))
    return 1 if failed else 0


class Handmade:
    """A shared log made by hand, with Ed25519 keys and signatures from the openssl command."""

    def __init__(self, prefix, out):
        self.prefix, self.out = prefix, out
        self.keys, self.replicas = {}, {}
        self.item = str(uuid.uuid4())
        self.log, self.hashes, self.expect = [], [bytes(32)], []

    def key(self, name):
        if name not in self.keys:
            path = os.path.join(self.out, "key-%s.pem" % name)
            subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", path],
                           check=True)
            der = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                                 check=True, stdout=subprocess.PIPE).stdout
            if der[:12] != ED25519_DER_PREFIX or len(der) != 44:
                raise SystemExit("openssl wrote no Ed25519 public key")
            self.keys[name] = (path, der[12:])
        return self.keys[name]

    def sign(self, name, msg):
        m, s = os.path.join(self.out, "msg.bin"), os.path.join(self.out, "sig.bin")
        with open(m, "wb") as f:
            f.write(msg)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", self.key(name)[0], "-rawin",
                        "-in", m, "-out", s], check=True)
        with open(s, "rb") as f:
            return f.read().hex()

    def add(self, replica, kind, verdict, by=None, subject=None, new=None, item=None,
            attrs=None, base=True, breakchain=False):
        e = {"uuid": str(uuid.uuid4()), "batch": str(uuid.uuid4()), "event_type": kind,
             "item": item, "subject": subject, "old": None, "new": new,
             "reason": "made by hand: " + kind, "eff": "2016-03-01",
             "recorded": "2026-12-03T10:00:%02d.000Z" % (len(self.log) % 60),
             "actor": "handmade", "login": "handmade",
             "replica": self.replicas.setdefault(replica, str(uuid.uuid4())),
             "attrs": attrs or None}
        if base:
            e["base"] = len(self.log)
        if by:
            e["sig"] = self.sign(by, canon(e))
        h = hashlib.sha256(self.hashes[-1] + canon(e)).digest()
        if breakchain:
            h = hashlib.sha256(b"not this log's chain").digest()
        e["hash"] = h.hex()
        self.log.append(e)
        self.hashes.append(h)
        self.expect.append(verdict)

    def note(self, replica, verdict, by=None, **kw):
        self.add(replica, "note", verdict, by, item=self.item, **kw)

    def office(self, replica, name, key, verdict, by):
        head = "%d:%s" % (len(self.log), self.hashes[-1].hex())
        self.add(replica, "office", verdict, by, subject=name, new=self.key(key)[1].hex(),
                 attrs={"head": head})

    def decide(self, replica, kind, name, key, verdict, by):
        self.add(replica, kind, verdict, by, subject=name, new=fingerprint(self.key(key)[1]))


def rules(prefix, out):
    """See the usage above. Replicas X, A, B, ...; keys A, A2, ... (A's first key, second...)."""
    os.makedirs(out, exist_ok=True)
    f = Handmade(prefix, out)
    f.note("X", "ok", base=False)                          # 1 as 0.1 wrote it: version 1
    f.note("X", "ok")                                      # 2 unsigned, before any signed one
    f.office("A", "alpha", "A", "ok", "A")                 # 3 founds the log
    f.note("A", "ok", "A")                                 # 4
    f.note("A", "signature")                               # 5 unsigned after the founder
    f.office("B", "beta", "B", "not admitted", "B")        # 6 not admitted yet
    f.note("B", "not admitted", "B")                       # 7 its replica has no key
    f.decide("A", "admit", "beta", "B", "ok", "A")         # 8
    f.office("B", "beta", "B", "ok", "B")                  # 9
    f.note("B", "ok", "B")                                 # 10
    f.note("B", "signature", "A")                          # 11 another office's key
    f.note("B", "chain", "B", breakchain=True)             # 12
    f.note("B", "ok", "B")                                 # 13 chains from the hash 12 states
    f.decide("B", "revoke", "beta", "B", "ok", "B")        # 14 applied; only the founder revokes
    f.note("B", "ok", "B")                                 # 15
    f.decide("A", "revoke", "beta", "B", "ok", "A")        # 16
    f.note("B", "revoked", "B")                            # 17
    f.office("A", "alpha", "A2", "signature", "A2")        # 18 a new key, no rekey, not A's
    f.office("A", "alpha", "A2", "not admitted", "A")      # 19 a new key, no rekey
    f.decide("B", "rekey", "alpha", "A2", "revoked", "B")  # 20
    f.decide("A", "rekey", "alpha", "A2", "ok", "A")       # 21
    f.office("A", "alpha", "A2", "ok", "A2")               # 22 the rekey binds A2
    f.note("A", "signature", "A")                          # 23 A no longer counts
    f.note("A", "ok", "A2")                                # 24
    f.decide("A", "admit", "gamma", "C", "ok", "A2")       # 25
    f.office("C", "gamma", "C", "ok", "C")                 # 26
    f.decide("C", "rekey", "gamma", "C2", "ok", "C")       # 27 an admitted office rekeys itself
    f.office("C", "gamma", "C2", "ok", "C2")               # 28
    f.note("C", "ok", "C2")                                # 29
    f.note("C", "signature", "C")                          # 30
    f.office("D", "delta", "D", "not admitted", "D")       # 31
    f.decide("C", "rekey", "alpha", "A3", "ok", "C2")      # 32 applied: the founder's name...
    f.office("A", "alpha", "A3", "not admitted", "A2")     # 33 ...takes a key from the founder
    f.note("A", "ok", "A2")                                # 34
    f.office("E", "gamma", "C2", "not admitted", "C2")     # 35 gamma's key, another replica id
    f.note("E", "not admitted", "C2")                      # 36 its replica has no key
    puts = []
    for pos, e in enumerate(f.log, start=1):
        puts.append(["%s/log/%020d" % (prefix, pos), json.dumps(e, separators=(",", ":"))])
        puts.append(["%s/ev/%s" % (prefix, e["uuid"]), str(pos)])
    puts.append([prefix + "/head", json.dumps({"pos": len(f.log), "hash": f.hashes[-1].hex()})])
    with open(os.path.join(out, "puts.json"), "w") as o:
        json.dump(puts, o)
    with open(os.path.join(out, "dump.json"), "w") as o:
        json.dump({"kvs": [{"key": base64.b64encode(k.encode()).decode(),
                            "value": base64.b64encode(v.encode()).decode()} for k, v in puts]}, o)
    with open(os.path.join(out, "expect"), "w") as o:
        for pos, verdict in enumerate(f.expect, start=1):
            if verdict != "ok":
                o.write("%s/log/%020d: %s\n" % (prefix, pos, verdict))
    return 0


def main():
    if sys.argv[1] == "log":
        return check_log(sys.argv[2], sys.argv[3])
    if sys.argv[1] == "rules":
        return rules(sys.argv[2], sys.argv[3])
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
