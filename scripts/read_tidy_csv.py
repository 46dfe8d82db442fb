#!/usr/bin/env python3
"""Loads an output folder's runs.csv, points.csv and differences.csv (where present) with pandas and checks them against its
results.json: the same row counts, the same columns make-report documents, and every cell the very
value results.json holds (numbers compared as doubles, bit for bit; an empty cell where a run or
point lacks a metric).

    python3 scripts/read_tidy_csv.py output [--record FILE]

Prints what it compared and exits 1 on any mismatch. With --record, writes the summary as JSON
(the fixture Tests/StudyPipelineTests/Fixtures/tidy/pandas-check.json, which a Swift test compares
with the tables it writes). Numbers are read with the parser that gives the double a number's
digits name: pandas 3's default, float_precision="round_trip" before; the summary also counts the
cells pandas' default parser reads differently (before pandas 3 it may be one unit in the last
place off).
"""
import argparse
import json
import math
import pathlib
import sys

import pandas as pd

SERIES = ["series", "label", "model", "parameterCount", "attack", "defense"]


def series_cells(results, index):
    s = results["series"][index]
    return [index, s["label"], s["modelLabel"], s["parameterCount"], s["attackLabel"], s["defenseLabel"]]


def numeric_parameters(value, prefix=""):
    """Every number of a component mapping (`kind` aside) by its dotted path."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [(prefix, float(value))]
    if isinstance(value, dict):
        return [pair for key, entry in value.items() if not (prefix == "" and key == "kind")
                for pair in numeric_parameters(entry, key if prefix == "" else f"{prefix}.{key}")]
    return []


def parameter_columns(results):
    """The parameters swept among the attacks, or the defenses, of one kind: (column, axis, components, path, kinds)."""
    columns = []
    for axis in ("attack", "defense"):
        components = results["config"][axis + "s"]
        values = {}
        for component in components:
            for path, value in numeric_parameters(component):
                values.setdefault(path, {}).setdefault(component["kind"], set()).add(value)
        for path in sorted(values):
            kinds = {kind for kind, seen in values[path].items() if len(seen) > 1}
            if kinds:
                columns.append((f"{axis}.{path}", axis, components, path, kinds))
    return columns


def parameter_cells(results, index):
    series = results["series"][index]
    return [dict(numeric_parameters(components[series[axis]])).get(path) if components[series[axis]]["kind"] in kinds else None
            for _, axis, components, path, kinds in parameter_columns(results)]


def expected_runs(results):
    metrics = sorted({key for run in results["runs"] for key in run.get("metrics", {})})
    targets = next(([t["target"] for t in run["targets"]] for run in results["runs"] if "targets" in run), [])
    columns = (SERIES + [name for name, *_ in parameter_columns(results)] + ["fraction", "seed", "poisonedCount", "realisedFraction", "saturated", "divergence",
                         "attackTarget", "tau", "targetBudget"]
               + [f"target[{label}].{part}" for label in targets for part in ("accuracy", "distance", "tau")] + metrics)
    budgets = {(entry["series"], seed["seed"]): seed.get("budget")
               for entry in results.get("targetBudgets", []) for seed in entry["seeds"]}
    rows = []
    for run in results["runs"]:
        values = run.get("metrics", {})
        attack = results["config"]["attacks"][results["series"][run["series"]]["attack"]]
        # Gradient canceling's target: names one of the study's targets (a class flip's target is a class).
        aimed = attack["target"] if attack["kind"] == "gradient-canceling" else None
        measured = {t["target"]: t for t in run.get("targets", [])}
        rows.append(series_cells(results, run["series"]) + parameter_cells(results, run["series"])
                    + [run["fraction"], run["seed"], run["poisonedCount"], run["realisedFraction"],
                       bool(run.get("saturated", False)), run.get("divergence")]
                    + [aimed, measured.get(aimed, {}).get("tau"), budgets.get((run["series"], run["seed"]))]
                    + [measured.get(label, {}).get(part) for label in targets for part in ("accuracy", "distance", "tau")]
                    + [values.get(key) for key in metrics])
    return columns, rows


def expected_points(results):
    # A metric split in orientation at some point (orientationSplits) has no mean there and three more columns.
    split = {key for point in results["points"] for key in point.get("orientationSplits", {})}
    metrics = sorted({key for point in results["points"] for key in point["metrics"]} | split)
    columns = SERIES + [name for name, *_ in parameter_columns(results)] + ["fraction", "runCount", "divergedCount", "saturated",
                                                                            "realisedFraction_mean", "realisedFraction_std"] + [
        f"{key}_{part}" for key in metrics
        for part in ("mean", "std") + (("orientationSplit", "seedsBelow", "seedsAbove") if key in split else ())]
    rows = []
    for point in results["points"]:
        summaries = []
        for key in metrics:
            summary = point["metrics"].get(key)
            summaries += [summary["mean"], summary["std"]] if summary else [None, None]
            if key in split:
                cell = point.get("orientationSplits", {}).get(key)
                summaries += [cell is not None, cell["below"] if cell else None, cell["above"] if cell else None]
        rows.append(series_cells(results, point["series"]) + parameter_cells(results, point["series"])
                    + [point["fraction"], point["runCount"], point["divergedCount"], point["saturated"],
                       point["realisedFraction"]["mean"], point["realisedFraction"]["std"]] + summaries)
    return columns, rows


def expected_differences(results):
    """differences.csv: one row per difference between series, an end withheld as imprecise left empty and
    named in `withheld` (`lower`, `upper`, `both`), as results.json's interval lists it in `imprecise`."""
    columns = ["quantity", "axis", "base", "baseLabel", "other", "otherLabel", "difference", "bound", "lower", "upper",
               "withheld", "decision", "seedsAtUpperSigma", "seedsFewest", "seedsMost", "seedsAtSigma", "seedsLimit"]
    labels = [s["label"] for s in results["series"]]
    rows = []
    for d in results["statistics"]["differences"]:
        estimate, plan = d["difference"], d.get("seedPlan") or {}
        interval = estimate.get("interval") or {}
        imprecise = set(interval.get("imprecise", []))
        withheld = {frozenset(): None, frozenset(["lower"]): "lower", frozenset(["upper"]): "upper",
                    frozenset(["lower", "upper"]): "both"}[frozenset(imprecise)]
        rows.append([d["quantity"], d["axis"], d["base"], labels[d["base"]], d["other"], labels[d["other"]], estimate.get("value"),
                     estimate.get("bound"), None if "lower" in imprecise else interval.get("lower"),
                     None if "upper" in imprecise else interval.get("upper"), withheld, d["decision"],
                     plan.get("conservativeSeeds"), plan.get("fewestSeeds"), plan.get("mostSeeds"), plan.get("seeds"), plan.get("limit")])
    return columns, rows


def same(cell, value):
    """Whether the cell pandas read is the value results.json holds."""
    missing = cell is None or (isinstance(cell, float) and math.isnan(cell))
    if value is None:
        return missing or cell == ""
    if missing:
        return False
    if isinstance(value, bool):
        return isinstance(cell, bool) and cell == value
    if isinstance(value, (int, float)):
        return float(cell) == float(value) and (float(value) != 0 or math.copysign(1, float(cell)) == math.copysign(1, float(value)))
    return str(cell) == value


def check(path, columns, rows):
    # pandas 3 parses with round-trip precision by default (and deprecates the option).
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""], **exact)
    default = pd.read_csv(path, keep_default_na=False, na_values=[""])
    mismatches, default_mismatches, compared = [], 0, 0
    if list(frame.columns) != columns:
        mismatches.append(f"columns {list(frame.columns)} != {columns}")
    if len(frame) != len(rows):
        mismatches.append(f"{len(frame)} rows != {len(rows)}")
    if not mismatches:
        for index, row in enumerate(rows):
            for column, value in zip(columns, row):
                cell = frame.at[index, column]
                cell = cell.item() if hasattr(cell, "item") else cell
                compared += 1
                if not same(cell, value):
                    mismatches.append(f"row {index + 1} {column}: {cell!r} != {value!r}")
                fast = default.at[index, column]
                fast = fast.item() if hasattr(fast, "item") else fast
                if isinstance(value, float) and not same(fast, value):
                    default_mismatches += 1
    return {"rows": len(frame), "columns": list(frame.columns), "cellsCompared": compared,
            "mismatches": mismatches[:20], "defaultParserMismatches": default_mismatches}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--record", type=pathlib.Path)
    args = parser.parse_args()
    results = json.loads((args.folder / "results.json").read_text())
    summary = {"runs": check(args.folder / "runs.csv", *expected_runs(results)),
               "points": check(args.folder / "points.csv", *expected_points(results)),
               "pandas": pd.__version__}
    # differences.csv, where the folder has it (the tidy fixture does not): its `withheld` column against
    # results.json's `imprecise`, the withheld ends' cells empty.
    tables = ["runs", "points"]
    if (args.folder / "differences.csv").exists():
        summary["differences"] = check(args.folder / "differences.csv", *expected_differences(results))
        tables.append("differences")
    for name in tables:
        table = summary[name]
        print(f"{name}.csv: {table['rows']} rows x {len(table['columns'])} columns, {table['cellsCompared']} cells compared "
              f"with results.json, {len(table['mismatches'])} mismatches; pandas' default float parser reads "
              f"{table['defaultParserMismatches']} numbers differently")
        for mismatch in table["mismatches"]:
            print("  " + mismatch)
    if args.record:
        args.record.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    sys.exit(1 if any(summary[name]["mismatches"] for name in tables) else 0)


if __name__ == "__main__":
    main()
