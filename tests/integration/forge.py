#!/usr/bin/env python3
"""Forgeries of a shared log in etcd, as someone with write access under its prefix would make
them: Python's standard library and the openssl command only, from the README's description of
the shared log (the canonical bytes come from chain.py, beside it).

Usage (DUMP is what `etcdctl get PREFIX/ --prefix -w json` printed):
  forge.py entry PREFIX DUMP KEY REPLICA [FIELD=VALUE]... > PLAN
      a new entry appended to the log: a copy of the latest entry of office REPLICA (its replica
      id) with a fresh uuid and batch, recorded now, its base the log's length, the FIELDs given
      replaced (VALUE "null" is null), signed with the Ed25519 private key in the PEM file KEY
      ("none": unsigned), its hash chained on PREFIX/head's; the plan puts the entry under
      PREFIX/log/N, its position under PREFIX/ev/UUID and the new PREFIX/head.
  forge.py cut PREFIX DUMP > PLAN
      the log cut short by its last entry: the plan deletes PREFIX/log/N (its PREFIX/ev/ key is
      left) and sets PREFIX/head back to N-1 and the hash that entry N-1 states.
  forge.py verify ENTRY PUBKEY
      exit 0 when the entry (the JSON text in the file ENTRY) carries a signature of its
      canonical bytes that `openssl pkeyutl -verify` accepts under the public key in the PEM
      file PUBKEY; 1 otherwise.

A PLAN has one line per etcd operation, "put<TAB>KEY<TAB>VALUE" or "del<TAB>KEY", for the test
to carry out with etcdctl; the forged entry's uuid and position go to stderr as "uuid U pos N".
"""
import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import uuid

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chain import canon  # noqa: E402  (the canonical bytes, version 1 or 2)

# The order of an entry's fields in the log, as docket writes them.
ORDER = ["uuid", "batch", "event_type", "item", "subject", "old", "new", "reason", "eff",
         "recorded", "actor", "login", "replica", "attrs", "base", "sig", "hash"]


def compact(o):
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


def load_dump(prefix, path):
    with open(path, encoding="utf-8") as f:
        kvs = json.load(f).get("kvs", [])
    keys = {base64.b64decode(kv["key"]).decode("utf-8"): base64.b64decode(kv["value"]).decode("utf-8")
            for kv in kvs}
    log = sorted(k for k in keys if k.startswith(prefix + "/log/"))
    head = json.loads(keys.get(prefix + "/head", '{"pos":0,"hash":"%s"}' % ("0" * 64)))
    if head.get("pos") != len(log):
        sys.exit("forge.py: %s/head says %s, the log holds %d entries" % (prefix, head.get("pos"), len(log)))
    return keys, log, head


def sign(key, data):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "canon")
        with open(path, "wb") as f:
            f.write(data)
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", path],
                             check=True, stdout=subprocess.PIPE).stdout
    if len(sig) != 64:
        sys.exit("forge.py: openssl gave a signature of %d bytes" % len(sig))
    return sig.hex()


def forge_entry(prefix, dump, key, replica, sets):
    keys, log, head = load_dump(prefix, dump)
    template = None
    for k in reversed(log):
        e = json.loads(keys[k])
        if e.get("replica") == replica:
            template = e
            break
    if template is None:
        sys.exit("forge.py: no entry of replica %s under %s/log/" % (replica, prefix))
    e = dict(template)
    e.pop("sig", None)
    e.pop("hash", None)
    e["uuid"] = str(uuid.uuid4())
    e["batch"] = str(uuid.uuid4())
    now = datetime.datetime.now(datetime.timezone.utc)
    e["recorded"] = now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)
    e["base"] = head["pos"]
    for s in sets:
        field, _, value = s.partition("=")
        if field not in ORDER or field in ("sig", "hash"):
            sys.exit("forge.py: no field %s to set" % field)
        if field == "base":
            e[field] = int(value)
        elif field == "attrs":
            e[field] = json.loads(value)
        else:
            e[field] = None if value == "null" else value
    data = canon(e)
    if key != "none":
        e["sig"] = sign(key, data)
    e["hash"] = hashlib.sha256(bytes.fromhex(head["hash"]) + data).hexdigest()
    pos = head["pos"] + 1
    entry = {f: e[f] for f in ORDER if f in e}
    print("put\t%s/log/%020d\t%s" % (prefix, pos, compact(entry)))
    print("put\t%s/ev/%s\t%d" % (prefix, e["uuid"], pos))
    print("put\t%s/head\t%s" % (prefix, compact({"pos": pos, "hash": e["hash"]})))
    print("uuid %s pos %d" % (e["uuid"], pos), file=sys.stderr)
    return 0


def cut(prefix, dump):
    keys, log, head = load_dump(prefix, dump)
    if len(log) < 2:
        sys.exit("forge.py: a log of %d entries cannot be cut short" % len(log))
    before = json.loads(keys[log[-2]])
    print("del\t%s" % log[-1])
    print("put\t%s/head\t%s" % (prefix, compact({"pos": len(log) - 1, "hash": before["hash"]})))
    return 0


def verify(path, pubkey):
    with open(path, encoding="utf-8") as f:
        e = json.loads(f.read())
    if not e.get("sig"):
        return 1
    with tempfile.TemporaryDirectory() as d:
        data, sig = os.path.join(d, "canon"), os.path.join(d, "sig")
        with open(data, "wb") as f:
            f.write(canon(e))
        with open(sig, "wb") as f:
            f.write(bytes.fromhex(e["sig"]))
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pubkey,
                            "-in", data, "-sigfile", sig], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    return 0 if r.returncode == 0 else 1


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "entry":
        return forge_entry(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
    if len(sys.argv) == 4 and sys.argv[1] == "cut":
        return cut(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 4 and sys.argv[1] == "verify":
        return verify(sys.argv[2], sys.argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
