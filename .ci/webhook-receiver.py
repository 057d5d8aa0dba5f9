"""CI: receive Bantin's deliveries on 127.0.0.1:$PORT and verify each with the Standard
Webhooks reference library (PyPI `standardwebhooks`); exit 0 once one of type $WANT_TYPE
verified, 1 when one does not verify or none came within 30 seconds."""

import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

hook = Webhook(os.environ["SECRET"])
want = os.environ["WANT_TYPE"]
outcome = {}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            event = hook.verify(body, dict(self.headers))
        except WebhookVerificationError as e:
            self.send_response(401)
            self.end_headers()
            outcome["error"] = f"{e} (headers {dict(self.headers)})"
            threading.Thread(target=self.server.shutdown).start()
            return
        self.send_response(204)
        self.end_headers()
        print(f"verified {event['type']} {self.headers['webhook-id']}", flush=True)
        if event["type"] == want:
            outcome["event"] = event
            threading.Thread(target=self.server.shutdown).start()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Receiver)
timer = threading.Timer(30, server.shutdown)
timer.daemon = True
timer.start()
server.serve_forever()
if "error" in outcome:
    sys.exit(f"a delivery did not verify: {outcome['error']}")
if "event" not in outcome:
    sys.exit(f"no {want} delivery within 30 s")
print(f"{want} for {outcome['event']['resource']['id']} verified with standardwebhooks")
