"""A webhook for Graph's subscriptions on plain loopback HTTP: it answers the validation
handshake with the token, records each notification, and answers notifications with `status`.
Shared by the Python suites that subscribe."""

import http.server
import json
import threading
import urllib.parse


def start(status=202):
    """Starts a webhook; the server (shut it down when done), its URL and the notifications
    it received (a list that fills as they arrive)."""
    received = []

    class Webhook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if "validationToken" in query:
                token = query["validationToken"][0].encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(token)))
                self.end_headers()
                self.wfile.write(token)
                return
            received.append(json.loads(body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/webhook", received
