#!/usr/bin/python3
"""ftp_server.py: a real FTP server for the upload tests (Debian's python3-pyftpdlib) on
127.0.0.1 only. usage: ftp_server.py PORT ROOT USER PASSWORD [BYTES_PER_S]
BYTES_PER_S > 0 throttles what the server receives, so that a test can stop it in the middle
of a transfer. Logs every command on stderr; prints "ready" on stdout once listening."""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
from pyftpdlib.servers import FTPServer

port, root, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rate = int(sys.argv[5]) if len(sys.argv) > 5 else 0
logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
auth = DummyAuthorizer()
auth.add_user(user, password, root, perm="elradfmwMT")
handler = FTPHandler
handler.authorizer = auth
handler.passive_ports = None
if rate:
    dtp = ThrottledDTPHandler
    dtp.read_limit = rate
    handler.dtp_handler = dtp
server = FTPServer(("127.0.0.1", port), handler)
print("ready", flush=True)
server.serve_forever()
