#!/usr/bin/env python3
"""Local peers for docket's integration tests: 127.0.0.1 only, bounded lifetime.

Usage: server.py MODE [--port N] [--root DIR] [--tls CERT KEY] [--delay S] [--log FILE]
                      [--fail-flag FILE] [--lifetime S]

Prints the port it listens on (one line on stdout), then serves until killed or until
--lifetime seconds have passed (default 300), whichever comes first.

Modes:
  http     an HTTP (or, with --tls, HTTPS) server. GET paths:
             /files/PATH    the file ROOT/PATH (404 when missing)
             /loop/N        a redirect loop: 302 to /loop/N+1, forever
             /redirect/PATH 302 to /PATH
             /tofile        302 to file:///etc/passwd
             /big/N         a generated body of N bytes (never stored), Content-Length N
             /trickle       200, then one byte every second for a long time
           POST /hook... a webhook receiver: appends {"id": Docket-Notice-Id, "status": code,
             "path": path, "body": body} as one JSON line to --log; answers 500 (with a
             body that echoes the path, token and all) while the --fail-flag file exists,
             else 200. POST /moved... answers 308 to /hooks... (logged with status 308).
           POST /status/NNN... answers HTTP NNN with a JSON body {"error": ..., "code": 7,
             "message": "refused by the test server"}, as etcd's gateway refuses a request
             (a fake etcd endpoint: http://127.0.0.1:PORT/status/403).
           --delay S sleeps S seconds before answering any request (bench: 0.05).
  silent   accepts connections and never answers (keeps them open, reads nothing).
"""
import argparse
import http.server
import json
import os
import socket
import ssl
import sys
import threading
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["http", "silent"])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--root", default=".")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--log")
    p.add_argument("--fail-flag")
    p.add_argument("--lifetime", type=float, default=300.0)
    return p.parse_args()


ARGS = parse()
LOG_LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "docket-test"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send_body(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, where):
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        if ARGS.delay:
            time.sleep(ARGS.delay)
        path = self.path.split("?", 1)[0]
        try:
            if path.startswith("/files/"):
                rel = path[len("/files/"):]
                full = os.path.realpath(os.path.join(ARGS.root, rel))
                root = os.path.realpath(ARGS.root)
                if not full.startswith(root + os.sep) or not os.path.isfile(full):
                    self.send_body(404, b"not found\n")
                    return
                with open(full, "rb") as f:
                    body = f.read()
                self.send_body(200, body, "application/octet-stream")
            elif path.startswith("/loop/"):
                n = int(path[len("/loop/"):] or "0")
                self.redirect("/loop/%d" % (n + 1))
            elif path.startswith("/redirect/"):
                self.redirect(path[len("/redirect"):])
            elif path == "/tofile":
                self.redirect("file:///etc/passwd")
            elif path.startswith("/big/"):
                n = int(path[len("/big/"):])
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(n))
                self.end_headers()
                chunk = b" " * (1 << 20)
                left = n
                while left > 0:
                    k = min(left, len(chunk))
                    self.wfile.write(chunk[:k])
                    left -= k
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(100000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(1)
            else:
                self.send_body(404, b"not found\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass  # the client gave up (a cap, a timeout): expected

    def do_POST(self):
        if ARGS.delay:
            time.sleep(ARGS.delay)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path.startswith("/status/"):
            code = int(self.path.split("/")[2])
            self.send_body(code, json.dumps({"error": "refused by the test server", "code": 7,
                                             "message": "refused by the test server"}).encode(),
                           "application/json")
            return
        code = 500 if ARGS.fail_flag and os.path.exists(ARGS.fail_flag) else 200
        if self.path.startswith("/moved"):
            code = 308  # the hook moved: nothing was taken in
        if ARGS.log:
            rec = {
                "id": self.headers.get("Docket-Notice-Id"),
                "status": code,
                "path": self.path,
                "content_type": self.headers.get("Content-Type"),
                "body": body.decode("utf-8", "replace"),
            }
            with LOG_LOCK, open(ARGS.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
        # Like many servers (Express: "Cannot POST /path"), the error page echoes the path,
        # and with it whatever token the path holds.
        if code == 308:
            self.send_response(308)
            self.send_header("Location", "/hooks" + self.path[len("/moved"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_body(code, b"ok\n" if code == 200 else
                       ("Cannot POST %s\n" % self.path).encode("utf-8"))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def silent():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", ARGS.port))
    s.listen(64)
    print(s.getsockname()[1], flush=True)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)  # never read, never answered, never closed


def main():
    # Whatever happens, this process goes away after its lifetime.
    t = threading.Timer(ARGS.lifetime, lambda: os._exit(0))
    t.daemon = True
    t.start()
    if ARGS.mode == "silent":
        silent()
        return
    srv = Server(("127.0.0.1", ARGS.port), Handler)
    if ARGS.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.tls[0], ARGS.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
