"""Times `agendo.find_slots` on a query file (W1 by default), the Python
side of `cargo xtask py-bench`: median and p95 microseconds per call, from
JSON text and from a dict, each call building the Slot objects.

    python benches/python/find_slots.py w1.json [--seconds 6]
"""

import json
import sys
import time

import agendo


def timed(call, budget):
    warm = time.perf_counter()
    while time.perf_counter() - warm < budget / 10:
        call()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < budget or len(times) < 10:
        t = time.perf_counter_ns()
        call()
        times.append(time.perf_counter_ns() - t)
    times.sort()
    return times


def report(what, times):
    at = lambda q: times[round((len(times) - 1) * q)] / 1000  # noqa: E731
    print(f"python {what}: median {at(0.5):.1f} µs, p95 {at(0.95):.1f} µs over {len(times)} calls")


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: find_slots.py QUERY.json [--seconds N]")
    seconds = float(args[2]) if len(args) == 3 and args[1] == "--seconds" else 6.0
    with open(args[0], encoding="utf-8") as file:
        text = file.read()
    query = json.loads(text)
    slots = agendo.find_slots(text)
    print(f"python slots: {len(slots)}")
    report("find_slots(JSON text)", timed(lambda: agendo.find_slots(text), seconds / 2))
    report("find_slots(dict)", timed(lambda: agendo.find_slots(query), seconds / 2))


if __name__ == "__main__":
    main()
