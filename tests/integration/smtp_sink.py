"""smtp_sink.py: a real SMTP server for the alert tests (Debian's python3-aiosmtpd), on
127.0.0.1 only. Each message it accepts is written to DIR/NNNNNN.eml: one "X-Rcpt-To: ADDR"
line per envelope recipient, one "X-Mail-From: ADDR" line, one "X-Session: N" line (N counts
the SMTP connections, from 1), then the message as received.
With --user and --password, AUTH (PLAIN or LOGIN) is required before MAIL. With --tls CERT
KEY it offers STARTTLS with that certificate, each message gets an "X-TLS: yes|no" line
saying whether its session was encrypted, and AUTH is offered only after STARTTLS.
It writes PORT to DIR/ready when it listens, and runs until SIGTERM.

usage: smtp_sink.py PORT DIR [--user U --password P] [--tls CERT KEY]
"""
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, out, tls=False):
        self.out = out
        self.tls = tls
        self.n = 0
        self.sessions = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            name = os.path.join(self.out, "%06d.eml" % self.n)
            if not hasattr(session, "vigie_number"):
                self.sessions += 1
                session.vigie_number = self.sessions
        tmp = name + ".tmp"
        with open(tmp, "wb") as f:
            for r in envelope.rcpt_tos:
                f.write(b"X-Rcpt-To: " + r.encode() + b"\r\n")
            f.write(b"X-Mail-From: " + envelope.mail_from.encode() + b"\r\n")
            f.write(b"X-Session: %d\r\n" % session.vigie_number)
            if self.tls:
                f.write(b"X-TLS: " + (b"yes" if session.ssl else b"no") + b"\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, name)  # readers never see half a message
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    user = password = None
    if "--user" in sys.argv:
        user = sys.argv[sys.argv.index("--user") + 1]
        password = sys.argv[sys.argv.index("--password") + 1]

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login.decode() == user and auth_data.password.decode() == password)
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    kw = {}
    tls = "--tls" in sys.argv
    if user:
        kw = dict(authenticator=authenticator, auth_required=True, auth_require_tls=tls)
    if tls:
        i = sys.argv.index("--tls")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[i + 1], sys.argv[i + 2])
        kw["tls_context"] = ctx
    ctl = Controller(Sink(out, tls), hostname="127.0.0.1", port=port, **kw)
    ctl.start()
    with open(os.path.join(out, "ready"), "w") as f:
        f.write(str(port))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    done.wait()
    ctl.stop()


main()
