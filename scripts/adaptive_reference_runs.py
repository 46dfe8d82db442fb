#!/usr/bin/env python3
"""Writes Tests/PoisoningEngineTests/Fixtures/adaptive-reference-runs.json: the 1,080 runs of the
adaptive reference study (examples/adaptive-reference: the reference study's 3 MLPs and 9 fractions
with its 40 seeds 42, 123, 7, 1-6, 8-38) as its committed output/runs.csv records them, in the
format of reference-runs-0.1.0.json (fraction, width, seed, poisonedCount, metrics), for the
bootstrap-stability tests of studies with more than 3 seeds (IntervalStabilityTests).

Usage: python3 scripts/adaptive_reference_runs.py [runs.csv] [fixture.json]
"""
import csv
import json
import sys

METRICS = ["finalLoss", "generalizationGap", "testAccuracy", "trainAccuracy", "trainCleanAccuracy"]


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else "examples/adaptive-reference/output/runs.csv"
    target = sys.argv[2] if len(sys.argv) > 2 else "Tests/PoisoningEngineTests/Fixtures/adaptive-reference-runs.json"
    runs = []
    for row in csv.DictReader(open(source, newline="")):
        if row["divergence"]:
            sys.exit(f"run {row['label']} {row['fraction']} {row['seed']} diverged: the fixture holds finished runs only")
        runs.append({
            "fraction": float(row["fraction"]),
            "width": int(row["label"].split()[1]),
            "seed": int(row["seed"]),
            "poisonedCount": int(row["poisonedCount"]),
            "metrics": {name: float(row[name]) for name in METRICS},
        })
    fixture = {
        "source": f"{source} of make-report (the adaptive reference study, 40 seeds): every run and its metrics",
        "toolVersion": "0.3.0",
        "runs": runs,
    }
    with open(target, "w") as file:
        json.dump(fixture, file, indent=1, sort_keys=True)
        file.write("\n")
    print(f"{len(runs)} runs, seeds {sorted({r['seed'] for r in runs})} -> {target}")


if __name__ == "__main__":
    main()
