"""A real SMTP server for the e-mail channel's tests (aiosmtpd, on loopback).

Writes each message it accepts as one JSON line (envelope, Message-ID,
subject and body decoded) to the file named on the
command line, and answers as the recipient's local part asks, so the tests
reach every branch of the channel:

- ``refuse…@``: 550, the mailbox does not exist (permanent);
- ``later…@``: 451, try again later (transient);
- anything else: 250, accepted.

Usage: ``server.py LOG [--starttls | --tls CERT KEY]``: with
``--starttls`` the server requires STARTTLS before anything else, with
``--tls`` it speaks TLS from the first byte (SMTPS), each with the given
certificate and key.

Prints ``ready <port>`` once listening; stops when stdin closes.
"""

import email
import email.policy
import json
import socket
import ssl
import sys

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path):
        self.path = path

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("refuse"):
            return "550 5.1.1 No such mailbox here"
        if local.startswith("later"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(
                json.dumps(
                    {
                        "from": envelope.mail_from,
                        "to": envelope.rcpt_tos,
                        "message_id": message["Message-ID"],
                        "subject": message["Subject"],
                        "body": message.get_content(),
                    }
                )
                + "\n"
            )
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    port = free_port()
    options = {}
    if len(sys.argv) == 5:
        mode, cert, key = sys.argv[2:]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if mode == "--starttls":
            options = {"tls_context": context, "require_starttls": True}
        else:
            options = {"ssl_context": context}
    controller = Controller(Recorder(sys.argv[1]), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print(f"ready {port}", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
