#!/usr/bin/env python3
"""Prints the slowest tests of a Swift Testing event stream (JSON lines, version 0): the seconds
between each test's (and suite's) start and end events, the N (default 25) largest first.

    swift test --skip-build --no-parallel --event-stream-output-path events.jsonl --event-stream-version 0
    scripts/slowest_tests.py events.jsonl [N]

Run the tests with --no-parallel: in parallel, Swift Testing starts every test at once and most
end together, so that a test's span says nothing of its own cost."""
import json, sys
starts, rows = {}, []
for line in open(sys.argv[1]):
    try:
        record = json.loads(line)
    except ValueError:
        continue
    if record.get("kind") != "event":
        continue
    event = record["payload"]
    kind = event.get("kind")
    when = event["instant"]["since1970"]
    if kind == "testStarted":
        starts[event.get("testID")] = when
    elif kind == "testEnded" and event.get("testID") in starts:
        rows.append((when - starts[event["testID"]], event["testID"]))
rows.sort(reverse=True)
for seconds, test in rows[: int(sys.argv[2]) if len(sys.argv) > 2 else 25]:
    print(f"{seconds:8.2f}  {test}")
