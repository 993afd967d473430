"""A real SMTP server for the notify tests (aiosmtpd, Debian's python3-aiosmtpd).

Listens on 127.0.0.1 on a free port, prints "PORT <n>", and writes every
message it accepts to OUT_DIR/<n>.json, decoded with Python's own e-mail
parser: envelope, headers, and each MIME part's type and text. Exits when
its standard input closes, so it never outlives the test that started it.

usage: smtp_server.py OUT_DIR [--refuse ADDRESS] [--auth USER:PASSWORD]
                              [--tls starttls|implicit CERT KEY]
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, out_dir, refused):
        self.out_dir = out_dir
        self.refused = {address.lower() for address in refused}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in message.walk():
            if part.get_content_maintype() == "multipart":
                continue
            parts.append(
                {
                    "content_type": part.get_content_type(),
                    "charset": part.get_content_charset(),
                    "text": part.get_content(),
                }
            )
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "authenticated": bool(session.authenticated),
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "content_type": message.get_content_type(),
            "parts": parts,
        }
        self.count += 1
        path = os.path.join(self.out_dir, f"{self.count:03}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Message accepted for delivery"


def authenticator_for(credentials):
    user, password = credentials.split(":", 1)

    def authenticate(server, session, envelope, mechanism, auth_data):
        if (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        ):
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    return authenticate


async def main():
    # Sign-in without TLS is what the tests want here; keep the output clean.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--auth")
    parser.add_argument("--tls", nargs=3, metavar=("MODE", "CERT", "KEY"))
    args = parser.parse_args()

    handler = Recorder(args.out_dir, args.refuse)
    tls_context = None
    if args.tls:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls[1], args.tls[2])
    starttls = args.tls is not None and args.tls[0] == "starttls"
    implicit = args.tls is not None and args.tls[0] == "implicit"

    def factory():
        options = {"hostname": "tether-test-smtp"}
        if starttls:
            options.update(tls_context=tls_context, require_starttls=True)
        if args.auth:
            options.update(
                authenticator=authenticator_for(args.auth),
                auth_required=True,
                auth_require_tls=False,
            )
        return SMTP(handler, **options)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, "127.0.0.1", 0, ssl=tls_context if implicit else None
    )
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)

    stdin_closed = asyncio.Event()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )

    async def watch_stdin():
        await reader.read()
        stdin_closed.set()

    watcher = asyncio.create_task(watch_stdin())
    await stdin_closed.wait()
    watcher.cancel()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
