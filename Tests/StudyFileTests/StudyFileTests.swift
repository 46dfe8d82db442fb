import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import StudyFile

/// Study files: the written default reads back as the same study; every kind of bad file ends in
/// one line naming file, line, column and key.
struct StudyFileTests {
    func study(_ text: String) throws -> Study {
        let (document, locations) = try readStudyFile(text: text, fileName: "s.yaml")
        return try Study(document: document, locations: locations)
    }

    func error(_ text: String) -> String {
        do {
            _ = try study(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// Review r19: a study nested too deep showed libyaml's own text ("Maximum nesting level reached,
    /// set with yaml_set_max_nest_level())"), a key longer than YAML allows "could not find expected
    /// ':'", and `seeds: [1, 0x2]` echoed "[1, 2.0]" (Swift's Double reads hexadecimal).
    @Test func depthKeyLengthAndHexadecimalAreRefusedInWords() {
        let flow = "a: " + String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000) + "\n"
        #expect(error(flow) == "s.yaml:1:5: lists and mappings are nested more than 32 levels deep")
        let block = (0..<40).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined() + String(repeating: " ", count: 40) + "v: 1\n"
        #expect(error(block) == "s.yaml:33:33: lists and mappings are nested more than 32 levels deep")
        let nested32 = (0..<31).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined() + String(repeating: " ", count: 31) + "v: 1\n"
        #expect(error(nested32).hasPrefix("s.yaml:1:1: unknown key 'k0'"), "32 levels are read")
        #expect(error("title: t\n" + String(repeating: "k", count: 1030) + ": 1\n") == "s.yaml:2:1: a key of 1030 characters; YAML's keys hold at most 1024")
        #expect(error(String(repeating: "k", count: 1024) + ": 1\n").hasPrefix("s.yaml:1:1: unknown key '\(String(repeating: "k", count: 40))…'"))
        #expect(error("seeds: [1, 0x2]\n") == "s.yaml:1:1: seeds: expected a list of integers, and entry 2 is a string: '0x2'")
        #expect(error("fractions: [0, 0x1p-1]\n") == "s.yaml:1:1: fractions: expected a list of numbers, and entry 2 is a string: '0x1p-1'")
        // Review r19b, finding 16: a list was called "not a list".
        #expect(error("seeds: [\"0x10\"]\n") == "s.yaml:1:1: seeds: expected a list of integers, and entry 1 is a string: '0x10'")
        #expect(error("seeds: [1.0]\n") == "s.yaml:1:1: seeds: expected a list of integers, and entry 1 is a number: 1.0")
        #expect(error("seeds: [1, 1e2]\n") == "s.yaml:1:1: seeds: expected a list of integers, and entry 2 is a number: 100.0")
        #expect(error("seeds: abc\n") == "s.yaml:1:1: seeds: expected a list of integers, not a string (abc)")
        // Review r19c: a seed of 2^64 - 1 was called "a number: 1.8e+19"; it is out of range.
        #expect(error("seeds: [18446744073709551615]\n")
            == "s.yaml:1:1: seeds: each value must lie in [0, 9223372036854775807]; entry 1, 1.8446744073709552e+19, is out of range")
        #expect(error("seeds: [1, -18446744073709551616]\n")
            == "s.yaml:1:1: seeds: each value must lie in [0, 9223372036854775807]; entry 2, -1.8446744073709552e+19, is out of range")
        #expect(error("seeds: 18446744073709551615\n")
            == "s.yaml:1:1: seeds: each value must lie in [0, 9223372036854775807]; 1.8446744073709552e+19 is out of range")
        #expect(error("fractions: [0, .5, 5e-1]\n") == "s.yaml:1:1: fractions: values must not repeat")
    }

    @Test func theWrittenReferenceStudyReadsBackAsTheSameStudy() throws {
        let reference = try Study(StudyConfig.reference)
        let text = studyFileText(reference, header: ["The reference study."])
        #expect(text.hasPrefix("# The reference study.\n"))
        #expect(text.contains("# Poison fractions to sweep, each in [0, 1]; up to 10 for attacks that add rows (gradient-canceling), "
            + "whose budget is poisons per clean row.\nfractions: [0.0, 0.01, 0.05"))
        #expect(text.contains("models:\n  # mlp: "))
        #expect(text.contains("  - kind: mlp\n    # Hidden layer widths"))
        #expect(try study(text).config == reference.config)
    }

    @Test func publishedClaimsAreReadWrittenAndOnlyWhereGiven() throws {
        let text = """
            claims:
              source: a paper
              thresholds: {MLP 32: 0.434, MLP 128: 0.349}
              larger-models-more-sensitive: false
            """
        let claims = try #require(try study(text).config.claims)
        #expect(claims == PublishedClaims(source: "a paper", thresholds: [ClaimedThreshold(series: "MLP 32", fraction: 0.434),
                                                                         ClaimedThreshold(series: "MLP 128", fraction: 0.349)],
                                          sharpTransition: nil, largerModelsMoreSensitive: false))
        let written = studyFileText(try study(text))
        #expect(written.contains("claims:\n  # Where the claims were published, in words (required).\n  source: \"a paper\"\n"))
        #expect(try study(written).config.claims == claims)
        #expect(try study("seeds: [1]\n").config.claims == nil, "a study file without claims has none, whatever the reference's")
        #expect(try Study(StudyConfig.reference).config.claims == .referenceStudy)
        // The published seeds: 3 by default (the reference study's), written back, and read when given.
        #expect(claims.seeds == 3 && PublishedClaims.referenceStudy.seeds == 3)
        #expect(written.contains("\n  seeds: 3\n"))
        #expect(try study("claims:\n  source: p\n  seeds: 20\n").config.claims?.seeds == 20)
    }

    /// `claims.design: reference` ties the claims to the reference design: read, written back, and
    /// written by the reference study itself; any other value is refused naming the key.
    @Test func theDesignOfClaimsIsReadWrittenAndChecked() throws {
        let text = "claims:\n  source: a paper\n  design: reference\n"
        #expect(try study(text).config.claims?.design == .reference)
        #expect(try study("claims:\n  source: a paper\n").config.claims?.design == nil)
        let written = studyFileText(try study(text))
        #expect(written.contains("\n  design: reference\n"))
        #expect(try study(written).config.claims?.design == .reference)
        #expect(PublishedClaims.referenceStudy.design == .reference)
        #expect(error("claims:\n  source: p\n  design: mine\n") == "s.yaml:3:3: claims.design: expected one of reference, not mine")
    }

    @Test func badClaimsNameTheirKey() {
        #expect(error("claims:\n  thresholds: {MLP 32: 0.4}\n") == "s.yaml:1:1: claims: missing required key 'source'")
        #expect(error("claims:\n  source: p\n  thresholds: {MLP 32: 43.4}\n")
            == "s.yaml:3:16: claims.thresholds.MLP 32: must lie in [0.0, 1.0]")
        #expect(error("claims:\n  source: p\n  sharp-transition: yes please\n")
            == "s.yaml:3:3: claims.sharp-transition: expected true or false, not a string")
        #expect(error("claims:\n  source: p\n  sharp: true\n").hasPrefix("s.yaml:3:3: claims: unknown key 'sharp'"))
        #expect(error("claims: [1]\n").hasPrefix("s.yaml:1:1: claims: expected a mapping"))
        #expect(error("claims:\n  source: p\n  seeds: 0\n") == "s.yaml:3:3: claims.seeds: must lie in [1, 100000]")
        // Hostile claims: each refused in one line naming its key.
        let hostile = [
            ("claims:\n  source: ''\n", "claims.source: expected the publication's name, not an empty string"),
            ("claims:\n  source: p\n  thresholds: {'': 0.4}\n", "claims.thresholds.: expected a series label, not an empty string"),
            ("claims:\n  source: p\n  thresholds: {}\n", "claims.thresholds: expected at least one series label"),
            ("claims:\n  source: p\n  sharp-transition:\n", "claims.sharp-transition: expected true or false"),
            ("claims:\n  source: p\n  thresholds:\n" + (0..<20_000).map { "    MLP \($0): 0.4\n" }.joined(),
             "claims.thresholds: expected at most 1000 published thresholds, found 20000"),
        ]
        for (text, message) in hostile {
            let refused = error(text)
            #expect(refused.contains(message) && !refused.contains("\n"), "\(refused)")
        }
    }

    @Test func aStudyWithSeveralAttacksAndDefensesRoundTrips() throws {
        let text = """
            title: Defended clusters
            models:
              - kind: mlp
                hidden: [16, 8]
              - kind: logistic
            attacks:
              - kind: random-label-flip
              - {kind: class-flip, source: 2, target: 3}
            defenses: [{kind: none}, {kind: loss-filter, drop: 0.15}]
            fractions: [0, 0.2]
            seeds: 5
            training: {epochs: 20}
            """
        let read = try study(text)
        #expect(read.series.count == 8)
        #expect(read.series.map(\.label).contains("MLP 16-8, class-flip class 2 → class 3, loss-filter 15%"))
        #expect(read.config.seeds == [5] && read.config.training.epochs == 20 && read.config.training.batchSize == 64)
        #expect(try study(studyFileText(read)).config == read.config)
    }

    /// Every (model, attack, defense) triple of the registry that a study accepts reads back from its
    /// written study file as the same study; every other is refused from the file in one located line.
    @Test func everyTripleOfTheRegistryRoundTripsOrIsRefusedInOneLine() throws {
        var accepted = 0
        for triple in ConformanceStudies.all {
            let name = "\(triple.model) × \(triple.attack) × \(triple.defense)"
            guard let read = try? Study(triple.config) else { continue }
            accepted += 1
            let text = studyFileText(read)
            #expect(try study(text).config == read.config, "\(name)")
        }
        // Refused: kernel ridge and the linear SVM with feature collision or gradient canceling and each
        // of the 15 defenses, or another attack with the defenses they lack something for: the linear
        // SVM 9, kernel ridge 8 (it has input Hessians, so the input-curvature filter takes it).
        #expect(accepted == ConformanceStudies.all.count - (15 + 15 + 7 * 9) - (15 + 15 + 7 * 8))
        let refused = """
            models: [{kind: kernel-ridge, kernel: laplacian, length-scale: 2}]
            defenses:
              - kind: spectral-signature
            fractions: [0, 0.1]
            """
        #expect(error(refused) == "s.yaml:3:5: defenses[0]: spectral-signature needs a model with a representation; kernel-ridge has none")
    }

    /// `planning` is read like `analysis`: its keys with their ranges, written back with their help,
    /// the defaults (effect 0.02, power 0.8) when absent.
    @Test func thePlanningKeyIsReadWrittenAndChecked() throws {
        #expect(try study("fractions: [0, 0.5]\n").config.planning == PlanningSettings(effect: 0.02, power: 0.8))
        let read = try study("planning: {effect: 0.05, power: 0.9}\n")
        #expect(read.config.planning == PlanningSettings(effect: 0.05, power: 0.9))
        let text = studyFileText(read)
        #expect(text.contains("planning:\n") && text.contains("  # Smallest effect of interest for seed planning"))
        #expect(try study(text).config.planning == read.config.planning)
        #expect(error("planning:\n  effect: 0\n")
            == "s.yaml:2:3: planning.effect: must lie in [0.0001, 1.0] as a fraction, e.g. 0.02, or in [0.01pp, 100pp] in percentage points, e.g. 2pp")
        // r21d m4: the effect in percentage points, as compare's --margin takes it, is the same study.
        for written in ["2pp", "\"2 pp\"", "\"2%\"", "0.02"] {
            #expect(try study("planning: {effect: \(written)}\n").config.planning == PlanningSettings(effect: 0.02, power: 0.8), "\(written)")
        }
        #expect(error("planning: {effect: 2 percent}\n")
            == "s.yaml:1:12: planning.effect: expected a fraction such as 0.02 or percentage points such as 2pp, not a string (\"2 percent\")")
        #expect(error("planning:\n  power: 0.3\n") == "s.yaml:2:3: planning.power: must lie in [0.5, 0.99]")
        #expect(error("planning: 0.02\n") == "s.yaml:1:1: planning: expected a mapping of effect, power")
    }

    @Test func badFilesEndInOneLocatedLine() {
        #expect(error("models:\n  - kind: mlp\n    hiden: [32]\n")
            == "s.yaml:3:5: models[0]: unknown key 'hiden', did you mean 'hidden'? ('hidden' is required)")
        #expect(error("models:\n  - kind: mlp\n    hidden: [32]\n    dropout: 0.5\n")
            == "s.yaml:4:5: models[0]: unknown key 'dropout' (known keys: kind, hidden)")
        // The path names the mapping, the message the key: never "attacks[0].near-clone: unknown key 'near-clone'".
        #expect(error("attacks: [{kind: random-label-flip, near-clone: {distance: 0}}]\n")
            == "s.yaml:1:37: attacks[0]: unknown key 'near-clone' (known keys: kind)")
        #expect(error("fractons: [0, 0.1]\n").hasPrefix("s.yaml:1:1: unknown key 'fractons', did you mean 'fractions'?"))
        #expect(error("training:\n  epochs: many\n") == "s.yaml:2:3: training.epochs: expected an integer, not a string (many)")
        #expect(error("fractions: [0, 10.5]\n") == "s.yaml:1:1: fractions: each value must lie in [0.0, 10.0]")
        #expect(error("training:\n  learning-rate: -1\n") == "s.yaml:2:3: training.learning-rate: must lie in [1e-12, 1000000.0]")
        #expect(error("attacks:\n  - kind: clas-flip\n")
            == "s.yaml:2:5: attacks[0].kind: expected one of random-label-flip, class-flip, margin-flip, confident-flip, backdoor, "
            + "feature-collision, svm-gradient, gradient-canceling, not 'clas-flip', did you mean 'class-flip'?")
        #expect(error("models:\n  - hidden: [8]\n") == "s.yaml:2:5: models[0]: missing required key 'kind'")
        #expect(error("attacks:\n  - kind: class-flip\n    source: 9\n")
            == "s.yaml:3:5: attacks[0].source: class 9 does not exist (the data have 5 classes, 0 to 4)")
        #expect(error("data:\n  kind: gaussian-clusters\n  classes: 1\n") == "s.yaml:3:3: data.classes: must lie in [2, 10000]")
        #expect(error("models: [}\n").hasPrefix("s.yaml:1:"))
        #expect(error("models: []\n") == "s.yaml:1:1: models: expected a list with at least one entry")
        #expect(error("") == "s.yaml:1:1: the study file is empty; `make-report study --print` prints one to start from")
        #expect(error("seeds: [1, 1]\n") == "s.yaml:1:1: seeds: values must not repeat")
    }

    @Test func fractionsAboveOneAreForAttacksThatAddRowsOnly() throws {
        let targets = "targets: [{kind: gradpc, eps-w: 0.5}]\nmodels: [{kind: logistic}]\n"
        let accepted = try study(targets + "attacks: [{kind: gradient-canceling, target: gradpc 0.5}]\nfractions: [0, 0.5, 1.5, 4]\n")
        #expect(accepted.config.fractions == [0, 0.5, 1.5, 4])
        #expect(error(targets + "attacks: [{kind: gradient-canceling, target: gradpc 0.5}, {kind: random-label-flip}]\n"
                      + "fractions: [0, 0.5, 1.5]\n")
            == "s.yaml:4:1: fractions: 1.5 is above 1, but attacks[1] (random label flip) changes existing training rows, so at "
            + "most all of them (1): fractions above 1 are for attacks that add rows, such as gradient-canceling")
        // At most 1, every attack may share the sweep.
        #expect(try study(targets + "attacks: [{kind: gradient-canceling, target: gradpc 0.5}, {kind: random-label-flip}]\n"
                          + "fractions: [0, 0.5, 1]\n").config.fractions == [0, 0.5, 1])
    }

    /// A gradient-canceling study swept only at fraction 0 would compute no τ and poison nothing: it
    /// stops at validation in one line, as one without fraction 0 does.
    @Test func aGradientCancelingStudyNeedsAPositiveFraction() throws {
        let targets = "targets: [{kind: gradpc, eps-w: 0.1}]\nmodels: [{kind: logistic}]\n"
        let attack = "attacks: [{kind: gradient-canceling, target: gradpc 0.1}]\n"
        #expect(error(targets + attack + "fractions: [0]\n")
            == "s.yaml:4:1: fractions: gradient-canceling → gradpc 0.1 computes its target's threshold τ and poisons only at a positive budget, "
            + "and the fractions are only 0: add at least one positive fraction")
        #expect(try study(targets + attack + "fractions: [0, 0.1]\n").config.fractions == [0, 0.1])
        #expect(try study(targets + "attacks: [{kind: random-label-flip}]\nfractions: [0]\n").config.fractions == [0],
                "an attack without a target may be swept at 0 alone")
    }

    /// r24k m-g: a positive fraction that poisons no row (0.0001 of the default 350 training rows is 0.035, which rounds to
    /// 0) ran clean models reported as poisoned ("At the largest fraction (0.0%)"). It stops in one line naming the bound a
    /// fraction must exceed, half a row, 0.5/350 = 0.00143 (poisonCount rounds half to even, so 0.5 rows to 0), and one
    /// row, 1/350 = 0.00286; 0.0015 (0.525 rows) and 0.00286 are accepted, 0.0014 (0.49 rows) is not.
    @Test func aPositiveFractionThatPoisonsNoRowIsRefused() throws {
        #expect(error("fractions: [0, 0.0001, 0.1]\n")
            == "s.yaml:1:1: fractions: 0.0001 poisons no row: 0.0001 of the 350 training rows rounds to 0, so its runs would be clean ones "
            + "reported as poisoned; give a fraction above 0.00143 (half a row), such as 0.00286 (one row), or leave it out")
        #expect(try study("fractions: [0, 0.00286]\n").config.fractions == [0, 0.00286])
        #expect(try study("fractions: [0, 0.0015]\n").config.fractions == [0, 0.0015])
        #expect(error("fractions: [0, 0.0014]\n").contains("0.0014 poisons no row"), "0.49 of a row rounds to 0")
    }

    /// r24m m1: svm-gradient poisons a share of its victim's rows (every training row but the attacker's validation rows), not
    /// of every training row: with `validation-share: 0.9` on classes 0 and 1 of the default data (350 training rows, of which
    /// VICTIM are the victim's), 0.0015 is 0.525 of a training row but 0.0015 x VICTIM < 0.5 of a victim row, so it poisons
    /// none and is refused, naming the attack; with `victim-sees-validation: true` its budget is every training row again.
    @Test func aFractionThatPoisonsNoneOfAnAttacksVictimRowsIsRefused() throws {
        let attack = "attacks: [{kind: svm-gradient, classes: [0, 1], validation-share: 0.9}]\nmodels: [{kind: linear-svm}]\n"
        let labels = try study("fractions: [0]\n").split.train.labels
        let held = [0, 1].map { label in
            let rows = labels.filter { $0 == label }.count
            return min(max(Int((0.9 * Double(rows)).rounded(.toNearestOrEven)), 1), rows - 1)
        }
        let victim = 350 - held.reduce(0, +)
        #expect(labels.count == 350 && victim < 333, "0.0015 x \(victim) rounds to 0")
        #expect(error(attack + "fractions: [0, 0.0015]\n")
            == "s.yaml:3:1: fractions: 0.0015 poisons no row: 0.0015 of the \(victim) victim rows of attacks[0] (svm-gradient) rounds to "
            + "0, so its runs would be clean ones reported as poisoned; give a fraction above \(String(format: "%.3g", 0.5 / Double(victim))) "
            + "(half a row), such as \(String(format: "%.3g", 1 / Double(victim))) (one row), or leave it out")
        #expect(try study(attack + "fractions: [0, \(1 / Double(victim))]\n").config.fractions.count == 2)
        let seesValidation = attack.replacingOccurrences(of: "validation-share: 0.9", with: "validation-share: 0.9, victim-sees-validation: true")
        #expect(try study(seesValidation + "fractions: [0, 0.0015]\n").config.fractions == [0, 0.0015])
    }

    /// svm-gradient's random flips in both placements read back from their written study file as the
    /// same study: in place (`placement: replace`, the default) and added (`placement: add`, which adds
    /// rows, so that its fractions may pass 1).
    @Test func svmGradientRandomFlipsInBothPlacementsRoundTrip() throws {
        let text = """
            models: [{kind: linear-svm}]
            attacks:
              - {kind: svm-gradient, poisons: random-flips}
              - {kind: svm-gradient, poisons: random-flips, placement: add}
            fractions: [0, 0.1]
            seeds: 1
            """
        let read = try study(text)
        #expect(read.series.map(\.attackLabel) == ["svm-gradient class 1 → class 0 (linear, random flips)",
                                                   "svm-gradient class 1 → class 0 (linear, random flips, add)"])
        let written = studyFileText(read)
        #expect(written.contains("placement: add"), "\(written)")
        #expect(try study(written).config == read.config)
        let adding = "models: [{kind: linear-svm}]\nattacks: [{kind: svm-gradient, poisons: random-flips, placement: add}]\nfractions: [0, 1.5]\n"
        #expect(try study(adding).config.fractions == [0, 1.5])
    }

    @Test func aRepeatedKeyIsNamedAtTheRepeatWithTheLineOfTheFirst() {
        // Block and flow mappings, at the top and nested.
        #expect(error("title: a\nseeds: [0, 1]\ntitle: b\n") == "s.yaml:3:1: the key 'title' is given again (first at line 1)")
        #expect(error("title: x\ntraining:\n  epochs: 2\n  epochs: 3\n")
            == "s.yaml:4:3: training: the key 'epochs' is given again (first at line 3)")
        #expect(error("training: {epochs: 2,\n  batch-size: 8, epochs: 3}\n")
            == "s.yaml:2:18: training: the key 'epochs' is given again (first at line 1)")
        #expect(error("models:\n  - {kind: mlp, kind: logistic}\n") == "s.yaml:2:17: models[0]: the key 'kind' is given again (first at line 2)")
        // Quoted keys, tagged keys and `? key` complex keys read as the text they hold.
        #expect(error("1: a\n'1': b\n") == "s.yaml:2:1: the key '1' is given again (first at line 1)")
        #expect(error("seeds: [1]\n\"seeds\": [2]\n") == "s.yaml:2:1: the key 'seeds' is given again (first at line 1)")
        #expect(error("!!str seeds: [1]\nseeds: [2]\n") == "s.yaml:2:1: the key 'seeds' is given again (first at line 1)")
        #expect(error("? seeds\n: [1]\nfractions: [0]\n? seeds\n: [2]\n") == "s.yaml:4:3: the key 'seeds' is given again (first at line 1)")
        #expect(error("? [a, b]\n: 1\n") == "s.yaml:1:3: keys must be plain words")
        // A merge key is refused where it stands, given once or twice; a quoted '<<' is an ordinary (unknown) key.
        #expect(error("training:\n  <<: {epochs: 2}\n  <<: {epochs: 3}\n")
            == "s.yaml:2:3: training: merge keys (<<) are not supported in study files; write the keys out")
        #expect(error("base: &b {epochs: 2}\ntraining:\n  <<: *b\n")
            == "s.yaml:3:3: training: merge keys (<<) are not supported in study files; write the keys out")
        #expect(error("training:\n  '<<': 1\n").hasPrefix("s.yaml:2:3: training: unknown key '<<'"))
        #expect(error("seeds: &s [1]\nfractions: *s\n") == "s.yaml:2:12: fractions: aliases are not supported in study files")
    }

    @Test func theUnknownKeyMessageNamesEachKnownKeyOnce() {
        #expect(error("seeds: [0, 1]\nseed: 3\n") == "s.yaml:2:1: unknown key 'seed', did you mean 'seeds'? (known keys: title, data, "
                + "models, attacks, defenses, targets, measure, fractions, seeds, training, analysis, planning, claims)")
        #expect(error("seeds: {values: [1, 2]}\ncolour: red\n") == "s.yaml:2:1: unknown key 'colour' (known keys: title, data, "
                + "models, attacks, defenses, targets, measure, fractions, seeds, training, analysis, planning, claims)")
    }

    @Test func longStringsAreRefusedWithTheirKey() throws {
        let title = String(repeating: "t", count: 201)
        #expect(error("title: \(title)\n") == "s.yaml:1:1: title: expected at most 200 characters, found 201")
        #expect(try study("title: \(title.dropLast())\n").config.title?.count == 200)
        // Counted in characters (grapheme clusters): 200 é of two bytes each, or of two Unicode
        // scalars each (e + U+0301), are 200 characters.
        #expect(try study("title: \(String(repeating: "\u{E9}", count: 200))\n").config.title?.count == 200)
        #expect(try study("title: \(String(repeating: "e\u{301}", count: 200))\n").config.title?.count == 200)
        #expect(error("title: \(String(repeating: "e\u{301}", count: 201))\n") == "s.yaml:1:1: title: expected at most 200 characters, found 201")
        // A claims source is a citation, of up to 4,096 characters.
        #expect(try study("claims:\n  source: \(String(repeating: "s", count: 4096))\n").config.claims?.source.count == 4096)
        #expect(error("claims:\n  source: p\n  thresholds: {\(title): 0.4}\n")
            == "s.yaml:3:16: claims.thresholds.\(title.prefix(40))…: expected at most 200 characters, found 201")
        #expect(error("data:\n  kind: csv\n  path: d.csv\n  label-column: \(title)\n")
            == "s.yaml:4:3: data.label-column: expected at most 200 characters, found 201")
        let path = String(repeating: "p", count: 4097)
        #expect(error("data:\n  kind: csv\n  path: \(path)\n") == "s.yaml:3:9: data.path: a key or value of 4097 characters; a study file's hold at most 4096")
        #expect(error("data:\n  kind: csv\n  path: \(path.dropLast())\n").contains("cannot read"), "a path of 4096 characters is read")
        #expect(error("training:\n  \(path): 1\n") == "s.yaml:2:3: training: a key or value of 4097 characters; a study file's hold at most 4096")
        #expect(error("training:\n  \(String(repeating: "e\u{301}", count: 4097)): 1\n")
            == "s.yaml:2:3: training: a key or value of 4097 characters; a study file's hold at most 4096")
        // A title of a million characters (within the 1 MiB the command reads; a title of ten million
        // once went into every report): refused as soon as it is read.
        let clock = ContinuousClock(), start = clock.now
        #expect(error("title: \(String(repeating: "x", count: 1_000_000))\n")
            == "s.yaml:1:8: title: a key or value of 1000000 characters; a study file's hold at most 4096")
        #expect(clock.now - start < .seconds(2))
    }

    @Test func controlCharactersAreRefusedWithTheirCodePoint() {
        // Escapes in double quotes: the study.yaml written from them was refused on re-reading.
        #expect(error("title: \"bell\\a\"\n") == "s.yaml:1:1: title: holds U+0007, a control character, at character 5; write it as plain text on one line")
        #expect(error("title: \"two\\nlines\"\n").hasPrefix("s.yaml:1:1: title: holds U+000A, a control character, at character 4"))
        #expect(error("title: left\u{202E}right\n").hasPrefix("s.yaml:1:1: title: holds U+202E, a bidirectional-text control, at character 5"))
        #expect(error("claims:\n  source: \"a\\x1B[31m paper\"\n").hasPrefix("s.yaml:2:3: claims.source: holds U+001B"))
        #expect(error("claims:\n  source: a paper\n  thresholds: {\"MLP\\u2066 32\": 0.4}\n").hasPrefix("s.yaml:3:16: claims.thresholds.MLP\\u{2066} 32: holds U+2066"))
        #expect(error("data:\n  kind: csv\n  path: \"d\\t.csv\"\n").hasPrefix("s.yaml:3:3: data.path: holds U+0009"))
    }

    @Test func coreSchemaTagsAreHonouredAndOthersRefused() throws {
        #expect(try study("title: !!str 5\n").config.title == "5")
        #expect(try study("training: !!map\n  epochs: !!int 3\n  learning-rate: !!float 1\nseeds: !!seq [1, 2]\n").config.training.epochs == 3)
        #expect(try study("title: ! plain\n").config.title == "plain")
        #expect(error("title: !custom x\n") == "s.yaml:1:8: title: the YAML tag '!custom' is not supported in study files; remove it")
        #expect(error("title: !!binary aGk=\n") == "s.yaml:1:8: title: the YAML tag '!!binary' is not supported in study files; remove it")
        #expect(error("seeds: !!set {1, 2}\n") == "s.yaml:1:8: seeds: the YAML tag '!!set' is not supported in study files; remove it")
        #expect(error("training:\n  epochs: !!int three\n") == "s.yaml:2:11: training.epochs: !!int does not fit 'three'; write the value without the tag")
        #expect(error("!custom title: x\n") == "s.yaml:1:1: the YAML tag '!custom' is not supported in study files; remove it")
        #expect(error("%TAG !e! tag:example.com,2000:\n---\ntitle: !e!x y\n")
            == "s.yaml:3:8: title: the YAML tag 'tag:example.com,2000:x' is not supported in study files; remove it")
    }

    @Test func aFileOfMoreValuesThanAllowedStopsAtTheLimit() {
        let items = Array(repeating: "0", count: 500_000).joined(separator: ",")
        #expect(error("fractions: [\(items)]\n") == "s.yaml:1:200009: fractions[99998]: the study file holds more than 100000 values")
    }

    @Test func aFileOfManyKeysIsReadInOnePass() throws {
        // 99,000 keys in one mapping (about 1 MB): the repeated-key checks are hash lookups, so the
        // file is read and its first unknown key named (the hostile cases time it).
        let keys = (0..<99_000).map { "  k\($0): \($0)" }.joined(separator: "\n")
        #expect(error("training:\n" + keys + "\n") == "s.yaml:2:3: training: unknown key 'k0' (known keys: epochs, batch-size, learning-rate)")
        #expect(error("training:\n" + keys + "\n  k98999: 1\n")
            == "s.yaml:99002:3: training: the key 'k98999' is given again (first at line 99001)")
    }

    @Test func badDefenseParametersNameTheirKey() {
        #expect(error("defenses:\n  - kind: knn-filter\n    k: 0\n") == "s.yaml:3:5: defenses[0].k: must lie in [1, 10000]")
        #expect(error("defenses:\n  - kind: confident-learning\n    folds: 1\n") == "s.yaml:3:5: defenses[0].folds: must lie in [2, 100]")
        #expect(error("defenses:\n  - kind: weight-decay\n    lambda: -0.1\n") == "s.yaml:3:5: defenses[0].lambda: must lie in [0.0, 10.0]")
        #expect(error("defenses:\n  - kind: label-smoothing\n    epsilon: 1\n") == "s.yaml:3:5: defenses[0].epsilon: must lie in [0.0, 0.99]")
        #expect(error("defenses:\n  - kind: dp-sgd\n    noise: -1\n") == "s.yaml:3:5: defenses[0].noise: must lie in [0.0, 1000.0]")
        #expect(error("defenses:\n  - kind: dp-sgd\n    delta: 1\n") == "s.yaml:3:5: defenses[0].delta: must lie in [1e-12, 0.5]")
        #expect(error("defenses:\n  - kind: early-stopping\n    patience: 0\n")
            == "s.yaml:3:5: defenses[0].patience: must lie in [1, 100000]")
    }

    /// A sweep over the near-clone distance is one backdoor entry per distance: each reads back from
    /// the written study file as the same study, its distance kept as a mapping; a bad distance, or a
    /// near clone where it does not apply, is refused in one line naming the key and where it is.
    @Test func nearCloneBackdoorsRoundTripAndBadDistancesNameTheirKey() throws {
        let text = """
            models: [{kind: mlp, hidden: [8]}]
            attacks:
              - kind: backdoor
              - kind: backdoor
                near-clone: {distance: 0}
              - kind: backdoor
                near-clone:
                  distance: 1.5
            fractions: [0, 0.1]
            seeds: 1
            """
        let read = try study(text)
        #expect(read.series.map(\.attackLabel) == ["backdoor → 0", "near-clone backdoor → 0 (d 0)", "near-clone backdoor → 0 (d 1.5)"])
        let written = studyFileText(read)
        #expect(written.contains("    near-clone:\n      # The most a poison moves, in standard deviations of each feature"), "\(written)")
        #expect(written.contains("      distance: 1.5\n"))
        #expect(try study(written).config == read.config)
        #expect(error("attacks:\n  - kind: backdoor\n    near-clone: {distance: -1}\n")
            == "s.yaml:3:18: attacks[0].near-clone.distance: must lie in [0.0, 1000000.0]")
        #expect(error("attacks:\n  - kind: backdoor\n    near-clone:\n      distance: .nan\n")
            == "s.yaml:4:7: attacks[0].near-clone.distance: expected a number, not a string (\".nan\")")
        #expect(error("attacks:\n  - kind: backdoor\n    near-clone: 0.5\n")
            == "s.yaml:3:5: attacks[0].near-clone: expected a mapping of distance and toward, not a number (0.5)")
        // YAML's null (null, ~) is no value, not the string "null".
        #expect(error("attacks:\n  - kind: backdoor\n    near-clone: null\n")
            == "s.yaml:3:5: attacks[0].near-clone: expected a mapping of distance and toward, not null (no value)")
        #expect(error("attacks:\n  - kind: backdoor\n    near-clone: {distance: ~}\n")
            == "s.yaml:3:18: attacks[0].near-clone.distance: expected a number, not null (no value)")
        #expect(error("attacks:\n  - kind: backdoor\n    near-clone: {}\n")
            == "s.yaml:3:5: attacks[0].near-clone: missing required key 'distance'")
        #expect(error("attacks:\n  - kind: backdoor\n    clean-label: true\n    near-clone: {distance: 1}\n")
            == "s.yaml:4:5: attacks[0].near-clone: applies only with clean-label: false")
    }

    /// input-curvature's option `vanish-margin` (the near-clone claim's share of the clustered spike):
    /// given as a mapping in `measure:`, written back as one with its help, read back as the same study;
    /// a bad value or an unknown option is refused in one line naming its key. A measurement named alone
    /// is written by its name, its option at the default.
    @Test func theVanishMarginOfTheCurvatureMeasurementRoundTripsAndBadValuesNameTheirKey() throws {
        let text = """
            models: [{kind: mlp, hidden: [8]}]
            attacks: [{kind: backdoor, near-clone: {distance: 0}}, {kind: backdoor, near-clone: {distance: 1000}}]
            measure: [{kind: input-curvature, vanish-margin: 0.2}]
            fractions: [0, 0.1]
            seeds: 1
            """
        let read = try study(text)
        #expect(read.config.measure == ["input-curvature"])
        #expect(read.config.measureOptions == ["input-curvature": .mapping([ParameterEntry(key: "vanish-margin", value: .double(0.2))])])
        #expect(InputCurvatureMeasurement.vanishMargin(read.config) == 0.2)
        let written = studyFileText(read)
        #expect(written.contains("    # The near-clone claim's margin for the spike, as a share of the clustered reference's spike"), "\(written)")
        #expect(written.contains("    vanish-margin: 0.2\n"), "\(written)")
        #expect(try study(written).config == read.config)
        let plain = try study("models: [{kind: mlp, hidden: [8]}]\nmeasure: [input-curvature]\nfractions: [0, 0.1]\nseeds: 1\n")
        #expect(plain.config.measureOptions.isEmpty && InputCurvatureMeasurement.vanishMargin(plain.config) == 0.1)
        #expect(studyFileText(plain).contains("measure:\n  - input-curvature\n") || studyFileText(plain).contains("measure: [input-curvature]"),
                "\(studyFileText(plain))")
        #expect(error("measure: [{kind: input-curvature, vanish-margin: 0}]\n")
            == "s.yaml:1:35: measure[0].vanish-margin: must lie in [0.001, 0.5]")
        #expect(error("measure: [{kind: input-curvature, vanish-margin: 1.5}]\n")
            == "s.yaml:1:35: measure[0].vanish-margin: must lie in [0.001, 0.5]")
        #expect(error("measure: [{kind: input-curvature, vanish-margin: wide}]\n")
            == "s.yaml:1:35: measure[0].vanish-margin: expected a number, not a string (wide)")
        #expect(error("measure: [{kind: input-curvature, vanish: 0.2}]\n")
            == "s.yaml:1:35: measure[0]: unknown key 'vanish' (known keys: kind, vanish-margin)")
        #expect(error("measure: [{kind: curvature}]\n")
            == "s.yaml:1:12: measure[0].kind: expected one of input-curvature, not 'curvature'")
        #expect(error("measure: [input-curvature, {kind: input-curvature, vanish-margin: 0.2}]\n")
            == "s.yaml:1:1: measure: input-curvature is given twice")
    }

    @Test func badAttackParametersNameTheirKey() {
        #expect(error("attacks:\n  - kind: backdoor\n    target: 7\n")
            == "s.yaml:3:5: attacks[0].target: class 7 does not exist (the data have 5 classes, 0 to 4)")
        #expect(error("attacks:\n  - kind: backdoor\n    trigger-features: [2, 10]\n")
            == "s.yaml:3:5: attacks[0].trigger-features: feature 10 does not exist (the data have 10 features, 0 to 9, or -10 to -1 from the end)")
        #expect(error("attacks:\n  - kind: backdoor\n    trigger-value: high\n")
            == "s.yaml:3:5: attacks[0].trigger-value: expected a number (auto, the data's maximum plus 3 standard deviations, is gone: "
                + "it lies outside the data; trigger-quantile sets a value inside it)")
        #expect(error("attacks:\n  - kind: backdoor\n    epsilon: 0.1\n")
            == "s.yaml:3:5: attacks[0].epsilon: applies only with clean-label: true")
        #expect(error("attacks:\n  - kind: feature-collision\n    beta: 0\n")
            == "s.yaml:3:5: attacks[0].beta: expected auto or a number in [1e-09, 1000000000.0]")
        #expect(error("attacks:\n  - kind: feature-collision\n    beta0: 0\n")
            == "s.yaml:3:5: attacks[0].beta0: must lie in [1e-12, 1000000000.0]")
        #expect(error("attacks:\n  - kind: feature-collision\n    opacity: 1\n")
            == "s.yaml:3:5: attacks[0].opacity: must lie in [0.0, 0.99]")
        #expect(error("attacks:\n  - kind: feature-collision\n    base: 5\n")
            == "s.yaml:3:5: attacks[0].base: class 5 does not exist (the data have 5 classes, 0 to 4)")
        #expect(error("attacks:\n  - kind: margin-flip\n    to: best\n")
            == "s.yaml:3:5: attacks[0].to: expected one of worst, random, not 'best'")
    }
}

/// A value with a control character that a study may hold (a CSV delimiter) is written as an escape.
struct StudyFileEscapeTests {
    @Test func aControlCharacterDelimiterIsWrittenAsAnEscapeThatReadsBack() throws {
        #expect("\(ParameterValue.string("\u{1F}"))" == "\"\\x1F\"")
        for delimiter in ["\t", "\u{1F}", "\u{85}", ";", "\\"] {
            let (document, _) = try readStudyFile(text: "delimiter: \(ParameterValue.string(delimiter))\n", fileName: "s.yaml")
            #expect(document.value(at: "delimiter") == .string(delimiter))
        }
    }

    /// Review r22b: a relative data path that climbs above "/" from the study file's folder is refused in one
    /// line naming the file, the key, the path and the folder it is read from; one that climbs to "/" and no
    /// further is a path like any other (`climbsAboveRoot`).
    @Test func aPathClimbingAboveTheRootIsRefusedInOneLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("study-root-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let depth = folder.resolvingSymlinksInPath().pathComponents.count - 1
        let above = String(repeating: "../", count: depth + 1) + "x.csv", atRoot = String(repeating: "../", count: depth) + "x.csv"
        #expect(climbsAboveRoot(above, from: folder.path) && !climbsAboveRoot(atRoot, from: folder.path))
        #expect(!climbsAboveRoot("/x.csv", from: "/") && climbsAboveRoot("../x.csv", from: "/") && !climbsAboveRoot("./a/../x.csv", from: "/"))
        #expect(climbsAboveRoot("a/../../x.csv", from: "/") && !climbsAboveRoot("", from: "/"))
        let file = folder.appendingPathComponent("study.yaml")
        try "data: {kind: csv, path: \"\(above)\", label-column: label}\n".write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try readStudyFile(atPath: file.path)
            Issue.record("a path above the root was read")
        } catch let error as StudyFileReadError {
            #expect(!error.description.contains("\n"))
            #expect(error.description.contains("data.path") && error.description.contains("climbs above / from the study file's folder"),
                    "\(error.description)")
        }
        try "data: {kind: csv, path: \"\(atRoot)\", label-column: label}\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try readStudyFile(atPath: file.path).document.value(at: "data.path") != nil)
    }

    /// `readStudyFile(atPath:)` reads a file's document with its paths made relative to the working
    /// directory, and refuses a file that is not UTF-8 naming it.
    @Test func aStudyFileIsReadFromItsPathWithItsPathsMovedToTheWorkingDirectory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("study-file-\(UUID().uuidString)/project")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let file = folder.appendingPathComponent("study.yaml")
        try "data: {kind: csv, path: rows.csv, label-column: label}\n".write(to: file, atomically: true, encoding: .utf8)
        let (document, locations) = try readStudyFile(atPath: file.path)
        guard case .string(let moved)? = document.value(at: "data.path") else {
            Issue.record("data.path is not a string: \(String(describing: document.value(at: "data.path")))")
            return
        }
        #expect(URL(fileURLWithPath: moved).standardizedFileURL.path == folder.appendingPathComponent("rows.csv").standardizedFileURL.path, "\(moved)")
        #expect(locations.location(of: "data.path") != nil)
        let latin1 = folder.appendingPathComponent("latin1.yaml")
        try Data([0x74, 0x69, 0x74, 0x6C, 0x65, 0x3A, 0x20, 0xE9, 0x0A]).write(to: latin1)
        do {
            _ = try readStudyFile(atPath: latin1.path)
            Issue.record("a Latin-1 study file was read")
        } catch let error as StudyFileReadError {
            #expect(error.description.hasSuffix("latin1.yaml' is not UTF-8 text"), "\(error)")
        }
    }

    /// A commented alternative follows its key's block, every line after "# ", under its comment;
    /// uncommented in place of the block, it reads back as that value.
    @Test func aCommentedAlternativeFollowsItsBlockAndReadsBackUncommented() throws {
        let reference = try Study(StudyConfig.reference)
        let other = StudyConfig.component(GaussianClusters.kind, ["samples": .int(90)])
        let design = try StudyDesign(document: StudyConfig.reference.document.setting(other, at: "data"))
        let alternative = CommentedAlternative(key: "data", value: try #require(design.config.document.value(at: "data")),
                                               help: design.help, comment: ["Or fewer samples."])
        let plain = studyFileText(reference.config, help: reference.help)
        let text = studyFileText(reference.config, help: reference.help, alternatives: [alternative])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "# Or fewer samples."))
        #expect(lines[start + 1] == "# data:")
        #expect(lines[start - 1].hasPrefix("  ") && !lines[start - 1].hasPrefix("  #"), "the data block in use ends just above")
        let block = Array(lines[(start + 1)...].prefix { $0 == "# data:" || $0.hasPrefix("#   ") })
        #expect(block.contains("#   samples: 90"))
        // Without the comment and the block, the text is the plain one.
        #expect(text.replacingOccurrences(of: (["# Or fewer samples."] + block).joined(separator: "\n") + "\n", with: "") == plain)
        // Uncommented, in place of the block in use, the alternative reads back as its value.
        var edited = plain.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let dataStart = try #require(edited.firstIndex(of: "data:"))
        let dataEnd = edited[(dataStart + 1)...].firstIndex { !$0.hasPrefix(" ") } ?? edited.endIndex
        edited.replaceSubrange(dataStart..<dataEnd, with: block.map { String($0.dropFirst(2)) })
        #expect(try StudyFileTests().study(edited.joined(separator: "\n")).config.data == design.config.data)
    }
}
