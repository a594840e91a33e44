#!/usr/bin/env python3
"""A scripted proxy in front of counter-hub, for counterd's integration tests (issue 15).

Usage: hostile_proxy.py UPSTREAM_URL MODE_FILE
Listens on a free loopback port and prints it on the first line of standard output. While MODE_FILE
holds "forward" (or is missing), every request is passed to UPSTREAM_URL and its answer relayed. While it
holds "hostile", every request gets the next of a fixed list of absurd answers: Retry-After values that
are infinite, NaN, huge or negative, HTML error pages, truncated JSON, and feed pages whose numbers are
out of every range. It stops when its standard input closes.
"""
import http.server
import itertools
import json
import sys
import threading
import urllib.error
import urllib.request

UPSTREAM, MODE_FILE = sys.argv[1].rstrip("/"), sys.argv[2]

HUGE_PAGE = json.dumps({
    "server_time": "2026-12-04T00:00:00Z", "cursor": None, "next_cursor": "x", "position": 9007199254740993,
    "up_to_date": True, "reset": False, "max_data_age_seconds": 9223372036854775000,
    "watermark": {"device_sequence": 99999999999999999999},
    "shop": {"id": "SHOP-1", "name": "s", "time_zone": "UTC"}, "campaigns": [], "tokens": [],
    "tombstones": [], "revocations": [],
})

ANSWERS = itertools.cycle([
    (503, {"Retry-After": "inf"}, "busy"),
    (503, {"Retry-After": "nan"}, "busy"),
    (429, {"Retry-After": "1e309"}, "{}"),
    (503, {"Retry-After": "99999999999999999999"}, "busy"),
    (429, {"Retry-After": "-5"}, "{}"),
    (503, {"Retry-After": "Fri, 31 Dec 99999 23:59:59 GMT"}, "busy"),
    (200, {"Content-Type": "text/html"}, "<html><body>Captive portal: please log in</body></html>"),
    (200, {"Content-Type": "application/json"}, HUGE_PAGE),
    (200, {"Content-Type": "application/json"}, '{"server_time": "10000-01-01T00:00:00Z", "results": [], "acknowledged_sequence": -1}'),
    (200, {"Content-Type": "application/json"}, '{"server_time": "2026-12-04T00:00:00Z", "position": 1e400'),
    (400, {"Content-Type": "text/html"}, "<html>400 Bad Request (nginx)</html>"),
    (404, {"Content-Type": "text/html"}, "<html>404 Not Found</html>"),
    (413, {"Content-Type": "text/html"}, "<html>413 Request Entity Too Large</html>"),
    (502, {"Content-Type": "text/html"}, "<html>502 Bad Gateway</html>"),
])
LOCK = threading.Lock()


def mode():
    try:
        with open(MODE_FILE) as f:
            return f.read().strip()
    except OSError:
        return "forward"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, headers, body):
        data = body.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if mode() == "hostile":
            with LOCK:
                status, headers, text = next(ANSWERS)
            return self.answer(status, headers, text)
        request = urllib.request.Request(UPSTREAM + self.path, data=body, method=self.command)
        for name in ("Authorization", "Content-Type", "Accept"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, headers, data = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, data = error.code, error.headers, error.read()
        self.send_response(status)
        for name in ("Content-Type", "Retry-After", "Allow"):
            if headers.get(name):
                self.send_header(name, headers[name])
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = relay


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
