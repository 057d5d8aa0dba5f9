"""The measuring half of bench/webhook-latency: a receiver, a steady writer, the figures."""

import json
import os
import statistics
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE, RATE, SECONDS = os.environ["BASE"], int(os.environ["RATE"]), int(os.environ["SECONDS_"])
PORT = int(os.environ["PORT"])
arrivals = []  # (event id, latency in ms)
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        got = time.time()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        sent = datetime.fromisoformat(body["timestamp"]).timestamp()
        with lock:
            arrivals.append((body["id"], (got - sent) * 1000))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(method, path, body=None, token=None):
    req = urllib.request.Request(BASE + "/api/v1" + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as res:
        text = res.read()
        return json.loads(text) if text else None


server = ThreadingHTTPServer(("127.0.0.1", PORT), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
token = call("POST", "/auth/login", {"email": "bench@bantin.local", "password": os.environ["PASSWORD"]})["access_token"]
call("POST", "/webhooks", {"url": f"http://127.0.0.1:{PORT}/hook", "events": ["category.*"]}, token)
categories = [call("POST", "/categories", {"name": f"Chuyên mục {i}"}, token)["id"] for i in range(20)]
time.sleep(2)
with lock:
    arrivals.clear()

writes, failures = 0, 0


def write(n):
    global failures
    try:
        call("PATCH", f"/categories/{categories[n % len(categories)]}", {"description": f"Lần sửa {n}"}, token)
    except Exception:
        failures += 1


start = time.time()
with ThreadPoolExecutor(max_workers=16) as pool:
    for n in range(RATE * SECONDS):
        due = start + n / RATE
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        pool.submit(write, n)
        writes += 1
elapsed = time.time() - start
deadline = time.time() + 30
while time.time() < deadline:
    with lock:
        if len(arrivals) >= writes - failures:
            break
    time.sleep(0.1)
time.sleep(1)
with lock:
    got = list(arrivals)
ids = [i for i, _ in got]
lat = sorted(ms for _, ms in got)
q = statistics.quantiles(lat, n=100) if len(lat) > 1 else lat * 99
print(f"writes: {writes} PATCHes in {elapsed:.1f} s ({writes / elapsed:.0f}/s), {failures} failed")
print(f"deliveries: {len(got)} received, {len(set(ids))} distinct events, {len(got) - len(set(ids))} repeats")
print(f"latency (event timestamp -> receiver), ms: median {statistics.median(lat):.1f}, "
      f"p90 {q[89]:.1f}, p99 {q[98]:.1f}, max {lat[-1]:.1f}")
