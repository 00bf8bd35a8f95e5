#!/usr/bin/python3
"""http_server.py: a small real HTTP server for the upload tests, on 127.0.0.1 only.
usage: http_server.py PORT ROOT USER PASSWORD
PUT /dir/NAME stores the body as ROOT/dir/NAME; POST /dir/ stores the body (a multipart
form) as ROOT/dir/post-N.raw. Both require HTTP basic authentication with USER:PASSWORD
(401 otherwise). Prints "ready" once listening."""
import base64
import http.server
import os
import sys

port, root, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
posts = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def _body(self):
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="vigie"')
            self.end_headers()
            return None
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n)

    def _store(self, rel, body):
        path = os.path.join(root, rel.lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
        self.send_response(201)
        self.end_headers()

    def do_PUT(self):
        body = self._body()
        if body is not None:
            self._store(self.path, body)

    def do_POST(self):
        body = self._body()
        if body is not None:
            posts[0] += 1
            self._store(os.path.join(self.path, f"post-{posts[0]}.raw"), body)


server = http.server.HTTPServer(("127.0.0.1", port), Handler)
print("ready", flush=True)
server.serve_forever()
