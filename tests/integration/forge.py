#!/usr/bin/env python3
"""Appends a forged entry to a docket shared log, as anyone who can write under the prefix
could: placed correctly (the next position, its P/ev key, P/head), chained correctly, under an
existing office's replica id, signed with whatever key the forger holds.

Usage:
  forge.py PREFIX DUMP REPLICA KEY.pem ACTOR REASON OUT
      DUMP: `etcdctl get PREFIX/ --prefix -w json`. The new entry copies the last status or
      note entry of REPLICA (its item, type, subject, values), with a new uuid and batch, the
      given actor and reason, the next base, and a signature by KEY.pem (an Ed25519 private
      key, signed with `openssl pkeyutl -rawin`). Writes OUT as lines "KEY<TAB>VALUE" for
      `etcdctl put`, in the order to put them (the entry, its P/ev key, then P/head).
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chain  # noqa: E402  (the canonical bytes, from the README)


def main():
    prefix, dump, replica, key, actor, reason, out = sys.argv[1:8]
    with open(dump, encoding="utf-8") as f:
        kvs = json.load(f).get("kvs", [])
    keys = {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv["value"]).decode()
            for kv in kvs}
    log = sorted(k for k in keys if k.startswith(prefix + "/log/"))
    last = json.loads(keys[log[-1]])
    template = None
    for k in reversed(log):
        e = json.loads(keys[k])
        if e["replica"] == replica and e["event_type"] in ("status", "note"):
            template = e
            break
    if template is None:
        sys.exit("forge.py: no status or note entry of replica %s to copy" % replica)
    e = dict(template)
    for drop in ("sig", "hash"):
        e.pop(drop, None)
    e["uuid"] = str(uuid.uuid4())
    e["batch"] = str(uuid.uuid4())
    e["actor"] = actor
    e["reason"] = reason
    e["base"] = len(log)
    canon = chain.canon(e)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "canon"), "wb") as f:
            f.write(canon)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in",
                        os.path.join(d, "canon"), "-out", os.path.join(d, "sig")], check=True)
        with open(os.path.join(d, "sig"), "rb") as f:
            e["sig"] = f.read().hex()
    h = hashlib.sha256(bytes.fromhex(last["hash"]) + canon).hexdigest()
    e["hash"] = h
    pos = len(log) + 1
    with open(out, "w", encoding="utf-8") as f:
        f.write("%s/log/%020d\t%s\n" % (prefix, pos, json.dumps(e, separators=(",", ":"),
                                                                 ensure_ascii=False)))
        f.write("%s/ev/%s\t%d\n" % (prefix, e["uuid"], pos))
        f.write("%s/head\t%s\n" % (prefix, json.dumps({"pos": pos, "hash": h},
                                                       separators=(",", ":"))))
    print(pos)


if __name__ == "__main__":
    main()
