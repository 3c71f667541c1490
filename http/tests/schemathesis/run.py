"""Schemathesis against the real server, signed in as an owner.

Run by `cargo xtask test` (in the project's virtualenv, which has
schemathesis from PyPI) once over a SQLite file and once over a fresh
database on the test Postgres:

    python http/tests/schemathesis/run.py --server target/debug/agendo [--postgres URL]

It starts the server on a free loopback port, registers a business, and
runs schemathesis over /openapi.json with a bounded number of examples per
operation and the checks that the server never fails (no 5xx), and that
every status, content type and response body is the one the document
says. The exit status is schemathesis's.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from agendo_server import free_port, psql, wait_until_up, with_database  # noqa: E402

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def register(base):
    body = json.dumps(
        {
            "business_name": "Salão da Ana",
            "timezone": "America/Sao_Paulo",
            "currency": "BRL",
            "locale": "pt-BR",
            "name": "Ana",
            "email": "ana@example.com",
            "password": "cavalo-bateria-grampo",
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/v1/auth/register", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["access_token"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--postgres", help="the administrator URL of the test Postgres")
    parser.add_argument("--examples", default=os.environ.get("AGENDO_SCHEMATHESIS_EXAMPLES", "15"))
    parser.add_argument("--seed", default=os.environ.get("AGENDO_SCHEMATHESIS_SEED", "20261201"))
    args = parser.parse_args()
    args.server = os.path.abspath(args.server)

    scratch = tempfile.mkdtemp(prefix="agendo-schemathesis-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # No worker: the fuzzer makes webhook endpoints and channels with
    # addresses anywhere, and tests send nothing to other hosts.
    env = dict(os.environ, AGENDO_BIND=f"127.0.0.1:{port}", AGENDO_REGISTER_RATE="100000", AGENDO_LOG="warn",
               AGENDO_RUN_WORKER="false",
               AGENDO_EVENTS_WAIT_SECONDS="1")
    database = None
    if args.postgres:
        database = f"agendo_schemathesis_{uuid.uuid4().hex[:12]}"
        psql(args.postgres, f"CREATE DATABASE {database}")
        env["DATABASE_URL"] = with_database(args.postgres, database)
        env["AGENDO_SECRET"] = "a-schemathesis-secret-of-at-least-32-bytes"
        env["AGENDO_DB_CONNECTIONS"] = "8"
    else:
        env["DATABASE_URL"] = f"sqlite:{os.path.join(scratch, 'agendo.db')}"
    log = open(os.path.join(scratch, "server.log"), "w")
    server = subprocess.Popen([args.server], env=env, cwd=scratch, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(base, server, "schemathesis")
        token = register(base)
        command = [
            os.path.join(os.path.dirname(sys.executable), "schemathesis"), "run", f"{base}/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", CHECKS,
            "--max-examples", args.examples,
            "--seed", args.seed,
            "--phases", "examples,coverage,fuzzing",
            "--workers", "2",
            "--no-shrink",
            "--warnings", "off",
        ]
        print("schemathesis:", " ".join(c if not c.startswith("Authorization") else "Authorization: Bearer …" for c in command[1:]), flush=True)
        code = subprocess.run(command, cwd=scratch).returncode
        if server.poll() is not None:
            print(f"schemathesis: the server died during the run ({server.returncode})", flush=True)
            code = code or 1
        return code
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)
        if database:
            psql(args.postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
