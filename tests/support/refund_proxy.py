"""A small HTTP proxy in front of localstripe for tally's refund tests.

localstripe (1.15.10) takes refunds and lists them, but ignores
idempotency keys, answers 400 to a refund `reason`, has no PaymentIntent
search, never caps a refund at what was captured and always answers
`succeeded`. This proxy adds what the tests need, following Stripe's
documented behaviour (../shared/providers/stripe-api.md):

* Idempotency (section 3.1): the first answer to a POST with an
  `Idempotency-Key` is stored and replayed for every later request with
  that key; a different body with the same key is a 400
  `idempotency_error`; a request whose key is still being executed gets a
  409, as Stripe answers.
* `reason` is stripped from POST /v1/refunds before forwarding (localstripe
  refuses it; real Stripe takes it).
* GET /v1/payment_intents/search?query=metadata['order_id']:'X' is answered
  from localstripe's PaymentIntents.
* Faults, set through POST /_proxy/fault?path=P&kind=K&times=N: `drop`
  forwards the request and then closes the connection without an answer
  (the refund happened, the client saw nothing), `500`, `429` (with
  Retry-After: 1) answer without forwarding.
* GET /_proxy/calls?path=P: how many requests reached the proxy for P.

Usage: python3 refund_proxy.py UPSTREAM_URL. The first line on standard
output is the port (127.0.0.1).
"""

import json
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = sys.argv[1].rstrip("/")
LOCK = threading.Lock()
FAULTS = {}  # path -> [kind, times]
CALLS = {}  # path -> count
ANSWERS = {}  # idempotency key -> (body sent, status, answer bytes)
RUNNING = set()  # idempotency keys being executed


def upstream(method, path, body, headers):
    req = urllib.request.Request(UPSTREAM + path, data=body, method=method)
    for name in ("Authorization", "Content-Type"):
        if headers.get(name):
            req.add_header(name, headers[name])
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def drop(self):
        self.close_connection = True

    def take_fault(self, path):
        with LOCK:
            fault = FAULTS.get(path)
            if not fault or fault[1] <= 0:
                return None
            fault[1] -= 1
            return fault[0]

    def control(self, url):
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/_proxy/fault":
            with LOCK:
                FAULTS[q["path"][0]] = [q["kind"][0], int(q.get("times", ["1"])[0])]
            return self.answer(200, b"{}")
        if url.path == "/_proxy/calls":
            with LOCK:
                n = CALLS.get(q["path"][0], 0)
            return self.answer(200, json.dumps({"calls": n}).encode())
        return self.answer(404, b"{}")

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path.startswith("/_proxy/"):
            return self.control(url)
        with LOCK:
            CALLS[url.path] = CALLS.get(url.path, 0) + 1
        fault = self.take_fault(url.path)
        if fault == "500":
            return self.answer(500, b'{"error":{"type":"api_error","message":"injected 500"}}')
        if fault == "429":
            return self.answer(429, b'{"error":{"type":"rate_limit","message":"injected 429"}}',
                               [("Retry-After", "1")])
        if method == "GET" and url.path == "/v1/payment_intents/search":
            return self.search(url)
        if method == "POST" and url.path == "/v1/refunds":
            pairs = [(k, v) for k, v in urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
                     if k != "reason"]
            body = urllib.parse.urlencode(pairs).encode()
        key = self.headers.get("Idempotency-Key") if method == "POST" else None
        if key:
            with LOCK:
                if key in ANSWERS:
                    sent, status, stored = ANSWERS[key]
                    if sent != body:
                        return self.answer(400, json.dumps({"error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used with the "
                                       "same parameters they were first used with."}}).encode())
                    if fault == "drop":
                        return self.drop()
                    return self.answer(status, stored, [("Idempotent-Replayed", "true")])
                if key in RUNNING:
                    return self.answer(409, json.dumps({"error": {
                        "type": "idempotency_error",
                        "message": "There is currently another in-progress request using this "
                                   "idempotency key."}}).encode())
                RUNNING.add(key)
        try:
            status, answer = upstream(method, self.path if method == "GET" else url.path,
                                      body or None, self.headers)
            if key:
                with LOCK:
                    ANSWERS[key] = (body, status, answer)
        finally:
            if key:
                with LOCK:
                    RUNNING.discard(key)
        if fault == "drop":
            return self.drop()
        return self.answer(status, answer)

    def search(self, url):
        query = urllib.parse.parse_qs(url.query).get("query", [""])[0]
        m = re.fullmatch(r"metadata\['order_id'\]:'((?:[^'\\]|\\.)*)'", query)
        if not m:
            return self.answer(400, b'{"error":{"type":"invalid_request_error","message":"unsupported query"}}')
        order = re.sub(r"\\(.)", r"\1", m.group(1))
        status, listed = upstream("GET", "/v1/payment_intents?limit=100", None, self.headers)
        if status != 200:
            return self.answer(status, listed)
        data = [pi for pi in json.loads(listed)["data"]
                if (pi.get("metadata") or {}).get("order_id") == order]
        return self.answer(200, json.dumps({
            "object": "search_result", "url": "/v1/payment_intents/search",
            "has_more": False, "data": data}).encode())

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
