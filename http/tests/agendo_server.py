"""What the Python harnesses of the server share (schemathesis/run.py,
browser/run.py): a free loopback port, waiting for the server to answer,
and throwaway databases on the test Postgres."""

import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base, server, who):
    """Waits up to 60 s for `/healthz`; exits naming `who` if the server
    dies or never answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"{who}: the server exited ({server.returncode}) before answering")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{who}: the server did not answer /healthz within 60 s")


def psql(url, sql):
    binary = os.path.join(os.environ.get("AGENDO_PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
    subprocess.run([binary, url, "-q", "-c", sql], check=True)


def with_database(url, name):
    """`url` with its database replaced by `name`."""
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{query}" if query else "")
