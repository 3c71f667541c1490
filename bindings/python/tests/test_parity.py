"""Every method bindings/parity.json names exists on agendo.Engine: the
table maps each operation of the HTTP API to its binding (or says why it
has none), and http/tests/parity.rs checks the table covers the API."""

import json
import pathlib

import agendo

TABLE = json.loads((pathlib.Path(__file__).parents[2] / "parity.json").read_text())


def test_every_operation_named_is_a_method():
    names = set(TABLE["operations"].values()) | set(TABLE["more_on_the_bindings"])
    missing = sorted(n for n in names if not callable(getattr(agendo.Engine, n, None)))
    assert missing == []


def test_the_table_names_operations_and_reasons():
    for operation in list(TABLE["operations"]) + list(TABLE["exclusions"]):
        method, path = operation.split(" ", 1)
        assert method in {"GET", "POST", "PUT", "PATCH", "DELETE"} and path.startswith("/")
    assert all(len(why) > 10 for why in TABLE["exclusions"].values())
