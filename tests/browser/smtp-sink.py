#!/usr/bin/python3
"""A real SMTP server on loopback for the browser tests.

Binds 127.0.0.1 on a free port (aiosmtpd's Controller), prints
`SMTP listening on 127.0.0.1:<port>` and writes each message it receives to
<dir>/<n>.eml, exactly as it arrived, and beside it <n>.json with what a test
checks, decoded by Python's e-mail parser: envelope, subject, text and HTML
parts. Runs until stdin closes or SIGTERM.

Usage: /usr/bin/python3 smtp-sink.py <dir>
"""

import email
import email.policy
import json
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        parsed = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"] or ""),
            "to": str(msg["To"] or ""),
            "subject": str(msg["Subject"] or ""),
            "content_language": str(msg["Content-Language"] or ""),
            "text": text.get_content() if text else "",
            "html": html.get_content() if html else "",
        }
        self.write(f"{n:03d}.eml", raw)
        # The JSON last: a reader that sees it finds the .eml complete too.
        self.write(f"{n:03d}.json", json.dumps(parsed, ensure_ascii=False).encode())
        return "250 Message accepted for delivery"

    def write(self, name, data):
        path = os.path.join(self.directory, name)
        with open(path + ".part", "wb") as f:
            f.write(data)
        os.rename(path + ".part", path)  # readers never see half a file


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    port = free_port()
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"SMTP listening on 127.0.0.1:{port}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
