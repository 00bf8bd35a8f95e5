#!/usr/bin/python3
"""ftp_server.py: a real FTP server for the upload tests (Debian's python3-pyftpdlib) on
127.0.0.1 only. usage: ftp_server.py PORT ROOT USER PASSWORD [BYTES_PER_S [CERT.pem]]
BYTES_PER_S > 0 throttles what the server receives, so that a test can stop it in the middle
of a transfer. With CERT.pem (certificate and key) the server is FTPS with explicit TLS
(AUTH TLS) required on the control and data connections (python3-openssl). Logs every command on stderr; prints "ready" on stdout once listening."""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
from pyftpdlib.servers import FTPServer

port, root, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rate = int(sys.argv[5]) if len(sys.argv) > 5 else 0
cert = sys.argv[6] if len(sys.argv) > 6 else None
logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
auth = DummyAuthorizer()
auth.add_user(user, password, root, perm="elradfmwMT")
if cert:
    from pyftpdlib.handlers import TLS_FTPHandler
    handler = TLS_FTPHandler
    handler.certfile = cert
    handler.tls_control_required = True
    handler.tls_data_required = True
else:
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
