"""What an outsider can make the server hold: memory under concurrent
sign-ins, and half-open connections while /healthz still answers.

Run with (after `cargo build --release -p agendo-http --bin agendo`):

    python3 benches/python/probe.py --server target/release/agendo

It starts the server over a temporary SQLite file on a free loopback port
and prints:
- the server's resident memory before, at its peak (VmHWM) and 20 s after
  64 concurrent sign-ins for unknown e-mails, each from its own loopback
  address (127.0.0.x), so no per-address limit hides the hashing;
- for growing numbers of half-open connections (a request head never
  finished, spread over loopback addresses), the time /healthz takes to
  answer from another address, until it is 100 ms or more.

Only loopback addresses are used; every loop is bounded.
"""

import argparse
import concurrent.futures
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) // 1024
    return fields


def post(port, path, body, source):
    """One POST from `source` (a loopback address); answers the status."""
    payload = json.dumps(body).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0)) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload
        )
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def healthz_ms(port, source):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:80]
    return (time.monotonic() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--max-half-open", type=int, default=8000)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="agendo-probe-")
    port = free_port()
    env = dict(
        os.environ,
        AGENDO_BIND=f"127.0.0.1:{port}",
        DATABASE_URL=f"sqlite:{os.path.join(scratch, 'agendo.db')}",
        AGENDO_LOG="warn",
    )
    server = subprocess.Popen([os.path.abspath(args.server)], env=env, cwd=scratch)
    try:
        for _ in range(300):
            try:
                healthz_ms(port, "127.0.0.1")
                break
            except OSError:
                time.sleep(0.1)
        before = memory(server.pid)
        with concurrent.futures.ThreadPoolExecutor(64) as pool:
            statuses = list(
                pool.map(
                    lambda i: post(
                        port,
                        "/v1/auth/login",
                        {"email": f"ninguem{i}@example.com", "password": "senha-errada-123"},
                        f"127.0.0.{i + 2}",
                    ),
                    range(64),
                )
            )
        peak = memory(server.pid)
        time.sleep(20)
        after = memory(server.pid)
        counts = {s: statuses.count(s) for s in sorted(set(statuses))}
        print(
            f"64 concurrent sign-ins {counts}: RSS {before['VmRSS']} MiB before, "
            f"peak {peak['VmHWM']} MiB, {after['VmRSS']} MiB 20 s later"
        )

        held = []
        answered = 0
        step = 500
        while len(held) < args.max_half_open:
            for _ in range(step):
                n = len(held)
                source = f"127.0.1.{n // 200 + 1}"
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                except OSError as error:
                    print(f"connection {n + 1} not accepted: {error}")
                    break
                held.append(s)
            ms = healthz_ms(port, "127.0.2.1")
            print(f"{len(held)} half-open connections: /healthz in {ms:.1f} ms")
            if ms >= 100:
                break
            answered = len(held)
        print(f"held {answered} half-open connections with /healthz under 100 ms")
        for s in held:
            s.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
