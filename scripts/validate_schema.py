#!/usr/bin/env python3
"""Checks docs/results.schema.json with Python's jsonschema package (Draft 2020-12), the
cross-check of the Swift test's own validator.

    python3 scripts/validate_schema.py [RESULTS.json ...] [--record FILE]

1. The schema is a valid draft 2020-12 schema.
2. Every committed results.json (output/, examples/*/output/) and every file given is valid. A file
   without `schemaVersion` (written before schema 1, until the outputs are regenerated) is validated
   with it assumed, and said so.
3. Edits of the fixture Tests/StudyPipelineTests/Fixtures/tidy/results.json, each one JSON pointer
   set or removed, get jsonschema's verdict; --record writes them with the verdicts (the fixture
   Tests/StudyPipelineTests/Fixtures/schema-cases.json), and the Swift test checks that its
   validator agrees on every one.
Exits 1 when a results.json is invalid or the schema is not a schema.
"""
import argparse
import copy
import glob
import importlib.metadata
import json
import pathlib
import sys

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "Tests/StudyPipelineTests/Fixtures/tidy/results.json"

# A penaltyTradeOff member (schema 4) for the edits below: one curve of two values of lambda, its
# points' success, clean accuracy and capacity over 3 seeds, and the change from lambda 0 to 20.
PENALTY_VALUES = {"count": 3, "mean": 0.5, "interval": {"lower": 0.4, "upper": 0.6}}
PENALTY_POINT = {"series": 0, "lambda": 0, "success": PENALTY_VALUES, "cleanAccuracy": PENALTY_VALUES, "capacity": PENALTY_VALUES}
PENALTY_CHANGE = {"difference": {"count": 3, "mean": -0.1, "interval": {"lower": -0.15, "upper": -0.05}}, "direction": "lower",
                  "seedsToResolve": 4}
PENALTY_CHANGES = {"from": 0, "to": 20, "success": PENALTY_CHANGE, "cleanAccuracy": PENALTY_CHANGE, "capacity": PENALTY_CHANGE,
                   "verdict": "trade-off", "claim": "supported"}
PENALTY_CURVE = {"model": 0, "attack": 0, "successName": "Test accuracy lost", "successMeaning": "the clean model's test accuracy minus the poisoned model's",
                 "points": [PENALTY_POINT, {**PENALTY_POINT, "series": 1, "lambda": 20, "success": {"count": 0}}], "changes": PENALTY_CHANGES}
PENALTY_TRADE_OFF = {"fraction": 0.1, "confidence": 0.95, "curves": [PENALTY_CURVE]}

# A curvatureClaims member (schema 4): one spike fit (one series across fractions), one near-clone
# sweep of two distances contrasted with a clustered reference (one distance, no verdict).
SPIKE_GROWTH = {"series": 0, "model": 0, "defense": 0, "efficacyKey": "backdoorSuccessExcess",
                "spikeKey": "inputCurvatureTopTriggered", "exponent": {"count": 3, "mean": 1.9, "interval": {"lower": 1.5, "upper": 2.3}},
                "pointsUsed": 6, "pointsLeftOut": 0, "seeds": 3,
                "byFraction": [{"fraction": 0.1, "efficacy": PENALTY_VALUES, "spike": PENALTY_VALUES},
                               {"fraction": 0.2, "efficacy": PENALTY_VALUES, "spike": PENALTY_VALUES, "change": PENALTY_VALUES}],
                "direct": {"from": 0.1, "to": 0.2, "values": PENALTY_VALUES}, "paperSetting": True, "verdict": "supported"}
NEAR_CLONE_POINT = {"distance": 0, "attack": 0, "success": PENALTY_VALUES, "spike": PENALTY_VALUES, "spikeMargin": 0.02,
                    "detectors": [{"defense": 1, "auroc": PENALTY_VALUES}], "status": "invisible", "visible": False}
NEAR_CLONE = {"model": 0, "fraction": 0.1, "spikeKey": "inputCurvatureTopTriggered", "margin": 0.02, "vanishMargin": 0.1,
              "points": [NEAR_CLONE_POINT, {**NEAR_CLONE_POINT, "distance": 1000, "attack": 1, "status": "fails", "visible": True}],
              "reference": {"attack": 2, "distance": 1000, "visible": True, "spike": PENALTY_VALUES}, "invisibleUpTo": 0,
              "verdict": "supported", "paperSetting": True}
CLUSTERED_REFERENCE = {"model": 0, "fraction": 0.1, "spikeKey": "inputCurvatureTopTriggered", "margin": 0.02, "vanishMargin": 0.1,
                       "paperSetting": True,
                       "points": [{**NEAR_CLONE_POINT, "distance": 1000, "attack": 2, "status": "fails", "visible": True}]}
CURVATURE_CLAIMS = {"confidence": 0.95, "spikeGrowth": [SPIKE_GROWTH], "nearClone": [NEAR_CLONE, CLUSTERED_REFERENCE]}

# An orientation split (schema 4): 2 of 5 seeds' AUROCs at most 0.25, 3 at least 0.75, none between.
ORIENTATION_SPLIT = {"seeds": 5, "below": 2, "above": 3, "belowLowest": 0.02, "belowHighest": 0.09, "aboveLowest": 0.93, "aboveHighest": 0.99}
SPLIT_DETECTOR = {"defense": 1, "auroc": {"count": 0}, "orientationSplit": ORIENTATION_SPLIT, "splitSeedValues": [0.02, 0.09, 0.93, 0.95, 0.99]}

# (name, JSON pointer, op, value): op "set" replaces or adds the member, "remove" deletes it.
CASES = [
    ("the file as written", "", "none", None),
    ("no schemaVersion", "/schemaVersion", "remove", None),
    ("another schemaVersion", "/schemaVersion", "set", "6"),
    ("schema 1's version", "/schemaVersion", "set", "1"),
    ("schema 2's version", "/schemaVersion", "set", "2"),
    ("schema 3's version", "/schemaVersion", "set", "3"),
    ("schema 4's version", "/schemaVersion", "set", "4"),
    ("an end withheld", "/statistics/series/0/cleanAccuracy/interval/imprecise", "set", ["upper"]),
    ("an end listed twice as withheld", "/statistics/series/0/cleanAccuracy/interval/imprecise", "set", ["upper", "upper"]),
    ("the data's class names", "/data/classNames", "set", ["cat", "dog", "bird"]),
    ("a class name that is no string", "/data/classNames", "set", ["cat", 1, "bird"]),
    ("a single class name", "/data/classNames", "set", ["cat"]),
    ("a difference with schema 2's resolved", "/statistics/differences/0/resolved", "set", False),
    ("a run's measured target", "/runs/0/targets", "set", [{"target": "gradpc 0.5", "tau": 0.17, "accuracy": 0.6, "distance": 0.5}]),
    ("a target that could not be made", "/runs/0/targets", "set", [{"target": "label-flip 0.5"}]),
    ("a target without its label", "/runs/0/targets", "set", [{"tau": 0.17, "accuracy": 0.6, "distance": 0.5}]),
    ("a negative tau", "/runs/0/targets", "set", [{"target": "gradpc 0.5", "tau": -0.1, "accuracy": 0.6, "distance": 0.5}]),
    ("a target accuracy above 1", "/runs/0/targets", "set", [{"target": "gradpc 0.5", "accuracy": 1.5}]),
    ("a difference without its decision", "/statistics/differences/0/decision", "remove", None),
    ("a decision that is no decision", "/statistics/differences/0/decision", "set", "maybe"),
    ("a key results.json does not have", "/extra", "set", 1),
    ("no toolVersion", "/toolVersion", "remove", None),
    ("a test accuracy above 1", "/runs/0/metrics/testAccuracy", "set", 1.5),
    ("a negative generalization gap", "/runs/0/metrics/generalizationGap", "set", -0.5),
    ("a gap below -1", "/runs/0/metrics/generalizationGap", "set", -1.5),
    ("a negative excess over the clean model", "/runs/0/metrics/targetSuccessExcess", "set", -0.5),
    ("an excess below -1", "/runs/0/metrics/targetSuccessExcess", "set", -1.5),
    ("a negative rate", "/runs/0/metrics/targetSuccess", "set", -0.1),
    ("a bias gradient ratio above 1 (the leftover may exceed the clean one)", "/runs/0/metrics/biasGradientRatio", "set", 1.5),
    ("a negative bias gradient ratio", "/runs/0/metrics/biasGradientRatio", "set", -0.1),
    ("a later layers' gradient ratio above 1 (the leftover may exceed the clean one)", "/runs/0/metrics/laterLayersGradientRatio", "set", 1.5),
    ("a negative later layers' gradient ratio", "/runs/0/metrics/laterLayersGradientRatio", "set", -0.1),
    ("a weights-only threshold above 1 (a budget, not a rate)", "/runs/0/metrics/weightsOnlyThreshold", "set", 2.5),
    ("a negative weights-only threshold", "/runs/0/metrics/weightsOnlyThreshold", "set", -0.1),
    ("an exhausted descent flag above 1", "/runs/0/metrics/descentExhausted", "set", 2),
    ("a target budget judged late, with its excess", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1}], "excess": {"value": 0.9, "interval": {"lower": 0.5, "upper": 1.3}},
       "verdict": "reachedLate"}]),
    ("a seed cancelled at 0.5 whose victim is the target from 4", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1, "tau": 0.4, "budget": 0.5, "reached": 4, "judged": 3}]}]),
    ("a seed whose victim is the target at budget 0", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1, "reached": 0}]}]),
    ("a target budget judged late from its last uncancelled budgets", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1, "tau": 0.4, "budget": 1.0, "lastUncancelled": 0.6}],
       "excess": {"value": 1.5, "interval": {"lower": 1.2, "upper": 1.8}},
       "excessFloor": {"value": 0.5, "interval": {"lower": 0.3, "upper": 0.7}}, "verdict": "reachedLate"}]),
    ("a target budget that cannot decide: nothing swept above tau", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1, "tau": 19.5, "lastUncancelled": 1.5}], "verdict": "notSweptAboveTau"}]),
    ("a seed judged by its runs' own thresholds, one run cancelling below its own", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1, "tau": 0.3, "budget": 0.2, "lastUncancelled": 0.1, "budgetTau": 0.15,
                                                    "lastUncancelledTau": 4.4, "cancelledBelowTau": 0.5}], "verdict": "successBelowTau"}]),
    ("a negative threshold of the first cancelling run", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1, "budget": 0.2, "budgetTau": -0.1}]}]),
    ("a run cancelling below its threshold at budget 0", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1, "cancelledBelowTau": 0}]}]),
    ("a last uncancelled budget of 0", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1, "lastUncancelled": 0}]}]),
    ("a target budget verdict that is no verdict", "/targetBudgets", "set",
     [{"series": 0, "closedShare": 0.5, "seeds": [{"seed": 1}], "verdict": "late"}]),
    ("a Renyi order below 1.1", "/runs/0/metrics/privacyOrder", "set", 1.0),
    ("a metric as a string", "/runs/0/metrics/finalLoss", "set", "0.5"),
    ("a negative standard deviation", "/points/0/metrics/testAccuracy/std", "set", -0.01),
    ("a point without its run count", "/points/0/runCount", "remove", None),
    ("a fractional seed", "/runs/0/seed", "set", 1.5),
    ("a saturated flag of false", "/runs/0/saturated", "set", False),
    ("a failed run's reason", "/runs/0/failure", "set", "the attacker's SVM did not converge"),
    ("a failure without a reason", "/runs/0/failure", "set", ""),
    ("a budget above 1 (an attack that adds rows)", "/runs/0/fraction", "set", 4),
    ("a budget above the largest a study may sweep (10)", "/runs/0/fraction", "set", 10.5),
    ("a number as a boolean", "/hasDefense", "set", 1),
    ("an unknown threshold status", "/fits/0/threshold/status", "set", "somewhere"),
    ("an empty list of undetermined ends", "/statistics/series/0/cleanAccuracy/interval/undetermined", "set", []),
    ("an undetermined end that is no end", "/statistics/series/0/cleanAccuracy/interval/undetermined", "set", ["middle"]),
    ("an end moved to the estimate", "/statistics/series/0/cleanAccuracy/interval/movedToEstimate", "set", ["upper"]),
    ("an empty list of ends moved to the estimate", "/statistics/series/0/cleanAccuracy/interval/movedToEstimate", "set", []),
    ("a moved end that is no end", "/statistics/series/0/cleanAccuracy/interval/movedToEstimate", "set", ["middle"]),
    ("an end withheld as imprecise", "/statistics/series/0/cleanAccuracy/interval/imprecise", "set", ["lower"]),
    ("an empty list of withheld ends", "/statistics/series/0/cleanAccuracy/interval/imprecise", "set", []),
    ("a withheld end that is no end", "/statistics/series/0/cleanAccuracy/interval/imprecise", "set", ["middle"]),
    ("a null estimate value", "/statistics/series/0/threshold/value", "set", None),
    ("an adaptive study's seeds block", "/config/seeds", "set",
     {"values": [1, 2], "start": 2, "step": 1, "max": 4, "until": ["gap-pairs"]}),
    ("no seeds", "/config/seeds", "set", []),
    ("an unknown question in the seeds block", "/config/seeds", "set",
     {"values": [1, 2], "start": 2, "step": 1, "max": 4, "until": ["everything"]}),
    ("a confidence of 1", "/config/analysis/confidence", "set", 1),
    ("an unknown attacker knowledge", "/series/0/attackerKnowledge", "set", "grey box"),
    ("a component's parameter (components are open)", "/config/models/0/width", "set", 3),
    ("a component without its kind", "/config/data/kind", "remove", None),
    ("a claim verdict", "/findings/sharpTransition", "set", "yes"),
    ("a measurement", "/config/measure", "set", ["input-curvature"]),
    ("an unknown measurement", "/config/measure", "set", ["curvature"]),
    ("an empty list of measurements", "/config/measure", "set", []),
    ("a measurement with its vanish-margin", "/config/measure", "set", [{"kind": "input-curvature", "vanish-margin": 0.2}]),
    ("a vanish-margin above 0.5", "/config/measure", "set", [{"kind": "input-curvature", "vanish-margin": 0.7}]),
    ("a measurement mapping with an unknown option", "/config/measure", "set", [{"kind": "input-curvature", "margin": 0.2}]),
    ("an input curvature above 1", "/runs/0/metrics/inputCurvatureTopClean", "set", 12.5),
    ("a negative input curvature", "/runs/0/metrics/inputCurvatureTopPoisoned", "set", -0.5),
    ("a curvature alignment above 1", "/runs/0/metrics/inputCurvatureTriggerAlignment", "set", 1.5),
    ("unconverged input-curvature eigenpairs", "/runs/0/metrics/inputCurvatureUnconverged", "set", 2),
    ("a relative curvature residual above 1", "/runs/0/metrics/inputCurvatureResidual", "set", 1.5),
    ("a negative curvature residual", "/runs/0/metrics/inputCurvatureResidual", "set", -0.001),
    ("unconverged rows of the curvature filter", "/runs/0/metrics/inputCurvatureFilterUnconverged", "set", 40),
    ("a mean count of unconverged filter rows", "/points/0/metrics/inputCurvatureFilterUnconverged", "set", {"mean": 12.5, "std": 3}),
    ("a mean input curvature above 1", "/points/0/metrics/inputCurvatureTopTriggered", "set", {"mean": 3.5, "std": 0.5}),
    ("the measured metrics", "/measuredMetrics", "set",
     [{"key": "inputCurvatureTopClean", "name": "Input curvature, clean test rows", "meaning": "top eigenvalue", "hasBaseline": False}]),
    ("an empty list of measured metrics", "/measuredMetrics", "set", []),
    ("the penalty's trade-off", "/penaltyTradeOff", "set", PENALTY_TRADE_OFF),
    ("a trade-off verdict that is no verdict", "/penaltyTradeOff", "set",
     {**PENALTY_TRADE_OFF, "curves": [{**PENALTY_CURVE, "changes": {**PENALTY_CHANGES, "verdict": "maybe"}}]}),
    ("a trade-off point without its capacity", "/penaltyTradeOff", "set",
     {**PENALTY_TRADE_OFF, "curves": [{**PENALTY_CURVE, "points": [{k: v for k, v in PENALTY_POINT.items() if k != "capacity"}]}]}),
    ("a trade-off without its claim's answer", "/penaltyTradeOff", "set",
     {**PENALTY_TRADE_OFF, "curves": [{**PENALTY_CURVE, "changes": {k: v for k, v in PENALTY_CHANGES.items() if k != "claim"}}]}),
    ("a negative lambda", "/penaltyTradeOff", "set",
     {**PENALTY_TRADE_OFF, "curves": [{**PENALTY_CURVE, "points": [{**PENALTY_POINT, "lambda": -1}]}]}),
    ("a change of one seed's resolution", "/penaltyTradeOff", "set",
     {**PENALTY_TRADE_OFF, "curves": [{**PENALTY_CURVE, "changes": {**PENALTY_CHANGES, "success": {**PENALTY_CHANGE, "seedsToResolve": 1}}}]}),
    ("the curvature claims", "/curvatureClaims", "set", CURVATURE_CLAIMS),
    ("a spike fit's verdict that is no verdict", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "spikeGrowth": [{**SPIKE_GROWTH, "verdict": "maybe"}]}),
    ("a spike of an unknown curvature", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "spikeGrowth": [{**SPIKE_GROWTH, "spikeKey": "inputCurvatureTopPoisoned"}]}),
    ("a near-clone distance below 0", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{**NEAR_CLONE, "points": [{**NEAR_CLONE_POINT, "distance": -1}]}]}),
    ("a near-clone point without detectors", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{**NEAR_CLONE, "points": [{**NEAR_CLONE_POINT, "detectors": []}]}]}),
    ("a spike fit without its fractions' sign test", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "spikeGrowth": [{k: v for k, v in SPIKE_GROWTH.items() if k != "byFraction"}]}),
    ("a spike fit at fraction 0", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "spikeGrowth": [{**SPIKE_GROWTH, "byFraction": [{"fraction": 0, "efficacy": PENALTY_VALUES, "spike": PENALTY_VALUES}]}]}),
    ("a spike fit pooling several series", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "spikeGrowth": [{**SPIKE_GROWTH, "series": [0, 1]}]}),
    ("a near-clone point without its visibility", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{**NEAR_CLONE, "points": [{k: v for k, v in NEAR_CLONE_POINT.items() if k != "visible"}]}]}),
    ("a near-clone entry without its margin", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{k: v for k, v in NEAR_CLONE.items() if k != "margin"}]}),
    ("a near-clone entry without its vanish margin", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{k: v for k, v in NEAR_CLONE.items() if k != "vanishMargin"}]}),
    ("a clustered reference without its spike", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{**NEAR_CLONE, "reference": {"attack": 2, "distance": 1000, "visible": True}}]}),
    ("a near-clone sweep without a clustered reference, not testable", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{**{k: v for k, v in NEAR_CLONE.items() if k not in ("reference", "invisibleUpTo")},
                                         "points": [{**NEAR_CLONE_POINT, "status": "not-resolved"}], "verdict": "not-testable"}]}),
    ("a near-clone point's seeds to resolve", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{**NEAR_CLONE, "points": [{**NEAR_CLONE_POINT, "status": "not-resolved", "seedsToResolve": 16}]}]}),
    ("a penalty claim that is not testable", "/penaltyTradeOff", "set",
     {**PENALTY_TRADE_OFF, "curves": [{**PENALTY_CURVE, "changes": {**PENALTY_CHANGES, "claim": "not-testable"}}]}),
    ("curvature claims without their near-clone sweeps", "/curvatureClaims", "set",
     {k: v for k, v in CURVATURE_CLAIMS.items() if k != "nearClone"}),
    ("a point's AUROC split in orientation", "/points/0/orientationSplits", "set", {"detectionAUROC": ORIENTATION_SPLIT}),
    ("a split whose seeds below lie above 0.25", "/points/0/orientationSplits", "set",
     {"detectionAUROC": {**ORIENTATION_SPLIT, "belowHighest": 0.4}}),
    ("a split without its count above", "/points/0/orientationSplits", "set",
     {"detectionAUROC": {k: v for k, v in ORIENTATION_SPLIT.items() if k != "above"}}),
    ("the findings' split cells", "/findings/detectionSplits", "set",
     [{"series": 1, "fraction": 0.1, "metric": "detectionAUROC", "split": ORIENTATION_SPLIT}]),
    ("an empty list of split cells", "/findings/detectionSplits", "set", []),
    ("a near-clone detector split in orientation", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "nearClone": [{**NEAR_CLONE, "points": [{**NEAR_CLONE_POINT, "detectors": [SPLIT_DETECTOR]}]}]}),
    ("a spike fit without its setting", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "spikeGrowth": [{k: v for k, v in SPIKE_GROWTH.items() if k != "paperSetting"}]}),
    ("a spike fit's direct test without its fractions", "/curvatureClaims", "set",
     {**CURVATURE_CLAIMS, "spikeGrowth": [{**SPIKE_GROWTH, "direct": {"values": PENALTY_VALUES}}]}),
]


def apply(document, pointer, op, value):
    """The document with the member at `pointer` set to `value` or removed."""
    edited = copy.deepcopy(document)
    if op == "none":
        return edited
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    parent = edited
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    if isinstance(parent, list):
        last = int(last)
    if op == "remove":
        del parent[last]
    else:
        parent[last] = value
    return edited


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=pathlib.Path)
    parser.add_argument("--record", type=pathlib.Path)
    args = parser.parse_args()
    schema = json.loads((ROOT / "docs/results.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    print(f"docs/results.schema.json is a valid draft 2020-12 schema (jsonschema {importlib.metadata.version('jsonschema')})")

    failed = False
    committed = sorted(glob.glob(str(ROOT / "output/results.json")) + glob.glob(str(ROOT / "examples/*/output/results.json")))
    for path in [pathlib.Path(p) for p in committed] + args.files:
        document = json.loads(path.read_text())
        note = ""
        if "schemaVersion" not in document:
            document["schemaVersion"] = "1"
            note = " (no schemaVersion: written before schema 1; validated with it assumed)"
        errors = list(validator.iter_errors(document))
        failed |= bool(errors)
        name = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        print(f"{name}: {'valid' if not errors else f'{len(errors)} errors'}{note}")
        for error in errors[:10]:
            print(f"  /{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")

    fixture = json.loads(FIXTURE.read_text())
    cases = []
    for name, pointer, op, value in CASES:
        valid = validator.is_valid(apply(fixture, pointer, op, value))
        cases.append({"name": name, "pointer": pointer, "op": op, "value": value, "valid": valid})
        print(f"edit '{name}': {'valid' if valid else 'invalid'}")
    if args.record:
        args.record.write_text(json.dumps(cases, indent=2) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
