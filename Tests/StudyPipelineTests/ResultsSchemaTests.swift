import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline
import TestSupport

/// The JSON Schema of results.json (docs/results.schema.json) against every results.json there is,
/// and the test validator against what it must reject.
@Suite struct ResultsSchemaTests {
    /// The schema's validator.
    static func validator() throws -> JSONSchemaValidator {
        JSONSchemaValidator(schema: try JSONValue.parse(Data(contentsOf: TidyFixtures.repository.appendingPathComponent("docs/results.schema.json"))))
    }

    /// The validator of a schema written inline.
    func validator(_ schema: String) throws -> JSONSchemaValidator { JSONSchemaValidator(schema: try JSONValue.parse(Data(schema.utf8))) }

    /// Whether `instance` (JSON text) is valid under `validator`.
    func valid(_ instance: String, _ validator: JSONSchemaValidator) throws -> Bool {
        validator.errors(of: try JSONValue.parse(Data(instance.utf8))).isEmpty
    }

    @Test func theValidatorRejectsWhatEachKeywordForbids() throws {
        let typed = try validator(#"{"type": "integer"}"#)
        #expect(try valid("3", typed) && valid("3.0", typed))
        #expect(try !valid("3.5", typed) && !valid("true", typed) && !valid("\"3\"", typed))
        let either = try validator(#"{"type": ["string", "null"]}"#)
        #expect(try valid("\"a\"", either) && valid("null", either) && !valid("0", either))
        let boolean = try validator(#"{"type": "boolean"}"#)
        #expect(try valid("false", boolean) && !valid("0", boolean) && !valid("1", boolean))
        let closed = try validator(#"{"type": "object", "properties": {"a": {"type": "number"}}, "required": ["a"], "additionalProperties": false}"#)
        #expect(try valid(#"{"a": 1}"#, closed))
        #expect(try !valid(#"{}"#, closed) && !valid(#"{"a": 1, "b": 2}"#, closed) && !valid(#"{"a": "1"}"#, closed))
        let patterned = try validator(#"{"patternProperties": {"Excess$": {"minimum": -1}}, "additionalProperties": {"minimum": 0}}"#)
        #expect(try valid(#"{"aExcess": -0.5, "b": 0}"#, patterned))
        #expect(try !valid(#"{"aExcess": -1.5}"#, patterned) && !valid(#"{"b": -0.5}"#, patterned))
        let bounded = try validator(#"{"minimum": 0, "maximum": 1, "exclusiveMinimum": -5, "exclusiveMaximum": 1}"#)
        #expect(try valid("0", bounded) && valid("0.5", bounded) && !valid("-0.1", bounded) && !valid("1", bounded))
        #expect(try valid("\"not a number\"", bounded), "bounds apply to numbers only")
        let items = try validator(#"{"type": "array", "items": {"enum": ["lower", "upper"]}, "minItems": 1}"#)
        #expect(try valid(#"["lower"]"#, items) && !valid("[]", items) && !valid(#"["middle"]"#, items))
        let constant = try validator(#"{"const": "1"}"#)
        #expect(try valid("\"1\"", constant) && !valid("1", constant) && !valid("\"2\"", constant))
        let referenced = try validator(##"{"$defs": {"n": {"type": "number"}}, "items": {"$ref": "#/$defs/n"}}"##)
        #expect(try valid("[1, 2]", referenced) && !valid(#"[1, "2"]"#, referenced))
        let one = try validator(#"{"oneOf": [{"type": "integer"}, {"type": "number"}]}"#)
        #expect(try valid("1.5", one) && !valid("1", one), "1 is both an integer and a number: two subschemas hold")
        let any = try validator(#"{"anyOf": [{"type": "integer"}, {"type": "string"}]}"#)
        #expect(try valid("1", any) && !valid("1.5", any))
        let sized = try validator(#"{"minLength": 1, "minProperties": 1}"#)
        #expect(try valid("\"a\"", sized) && !valid("\"\"", sized) && !valid("{}", sized) && valid(#"{"a": 1}"#, sized))
    }

    @Test func theValidatorRefusesKeywordsItDoesNotCheckAndBrokenReferences() throws {
        #expect(try validator(#"{"pattern": "^a"}"#).errors(of: .string("b")) == ["/: unsupported keyword 'pattern'"])
        #expect(try validator(##"{"$ref": "#/$defs/missing"}"##).errors(of: .null) == ["/: unresolvable $ref '#/$defs/missing'"])
        let errors = try validator(#"{"properties": {"a": {"properties": {"b": {"type": "string"}}}}}"#).errors(of: try JSONValue.parse(Data(#"{"a": {"b": 1}}"#.utf8)))
        #expect(errors == ["/a/b: expected string"])
    }

    @Test func freshResultsAreValid() throws {
        let validator = try Self.validator()
        for results in [StudyPipelineTests.results(), try TidyFixtures.results()] {
            let document = try JSONValue.parse(results.jsonData())
            #expect(validator.errors(of: document) == [])
            guard case .object(let members) = document else { Issue.record("results.json is not an object"); continue }
            #expect(members["schemaVersion"] == .string(StudyResults.currentSchemaVersion))
        }
    }

    /// The committed results.json files: output/ and every example's.
    static func committedResults() throws -> [URL] {
        let examples = try FileManager.default.contentsOfDirectory(at: TidyFixtures.repository.appendingPathComponent("examples"),
                                                                   includingPropertiesForKeys: nil)
        return ([TidyFixtures.repository.appendingPathComponent("output")] + examples.sorted { $0.path < $1.path }.map { $0.appendingPathComponent("output") })
            .map { $0.appendingPathComponent("results.json") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    @Test func everyCommittedResultsFileIsValid() throws {
        let validator = try Self.validator()
        let files = try Self.committedResults()
        #expect(files.count >= 6)
        for file in files {
            // Files written before schema 1 name no version (until the outputs are regenerated):
            // the version is checked where present, and everything else always.
            guard case .object(var members) = try JSONValue.parse(Data(contentsOf: file)) else {
                Issue.record("\(file.path) is not an object")
                continue
            }
            if members["schemaVersion"] == nil { members["schemaVersion"] = .string(StudyResults.currentSchemaVersion) }
            #expect(validator.errors(of: .object(members)) == [], "\(file.path)")
        }
    }

    /// One edit of `scripts/validate_schema.py`, with jsonschema's verdict.
    struct EditCase: Decodable {
        let name: String
        let pointer: String
        let op: String
        let value: JSONValue?
        let valid: Bool
    }

    /// `document` with the member at `pointer` set to `value`, or removed when `value` is nil.
    func edited(_ document: JSONValue, at pointer: [String], to value: JSONValue?) -> JSONValue {
        guard let key = pointer.first else { return value ?? document }
        switch document {
        case .object(var members):
            members[key] = pointer.count == 1 ? value : members[key].map { edited($0, at: Array(pointer.dropFirst()), to: value) }
            return .object(members)
        case .array(var items):
            let index = Int(key)!
            if pointer.count == 1 {
                if let value { items[index] = value } else { items.remove(at: index) }
            } else {
                items[index] = edited(items[index], at: Array(pointer.dropFirst()), to: value)
            }
            return .array(items)
        default:
            return document
        }
    }

    @Test func theValidatorAgreesWithPythonsJsonschemaOnEveryEdit() throws {
        let validator = try Self.validator()
        let document = try JSONValue.parse(TidyFixtures.data("tidy/results.json"))
        let cases = try JSONDecoder().decode([EditCase].self, from: TidyFixtures.data("schema-cases.json"))
        #expect(cases.count >= 25)
        #expect(cases.filter(\.valid).count >= 3 && cases.filter { !$0.valid }.count >= 20)
        for edit in cases {
            let pointer = edit.pointer.split(separator: "/").map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
            let value: JSONValue? = edit.op == "remove" ? nil : (edit.value ?? .null)
            let changed = edit.op == "none" ? document : edited(document, at: pointer, to: value)
            #expect(validator.errors(of: changed).isEmpty == edit.valid, "\(edit.name)")
        }
    }

    /// A results.json of schema 1 (before the sign decisions: no `decision` in differences and trends,
    /// no `undetermined` in an adaptive study's looks) is recognised as older by its version, in one
    /// line, by `validate`'s reader and by `compare`, not refused with a decoding error; the published
    /// study's format, which names no version, still reads.
    @Test func aSchemaOneFileIsRecognisedAsOlderAndThePublishedFormatStillReads() throws {
        let text = String(decoding: try StudyPipelineTests.results().jsonData(), as: UTF8.self)
        let older = Data(text.replacingOccurrences(of: #""schemaVersion" : "5""#, with: #""schemaVersion" : "1""#)
            .replacingOccurrences(of: #"\n *"decision" : "[a-z-]+","#, with: "", options: .regularExpression).utf8)
        #expect(text.contains(#""decision" : ""#) && !String(decoding: older, as: UTF8.self).contains(#""decision""#))
        let reason = "has schemaVersion '1', and this make-report reads schema 5 only (docs/results.schema.json)"
        #expect(StudyResults.schemaVersionProblem(older) == reason)
        #expect { try StudyResults.read(older) } throws: { ($0 as? ResultsFileError)?.reason == reason }
        #expect { try ComparableStudy(json: older) } throws: {
            ($0 as? ComparisonInputError)?.reason == "a make-report results.json that cannot be used: it \(reason)"
        }
        let published = try Data(contentsOf: TidyFixtures.repository.appendingPathComponent(
            "Tests/PoisoningAnalysisTests/Fixtures/published-format-example.json"))
        #expect(StudyResults.schemaVersionProblem(published) == nil)
        #expect(try ComparableStudy(json: published).format == "published")
    }

    @Test func aResultsFileOfAnotherSchemaVersionIsRefusedInOneLine() throws {
        let bytes = try StudyPipelineTests.results().jsonData()
        let text = String(decoding: bytes, as: UTF8.self)
        let other = Data(text.replacingOccurrences(of: #""schemaVersion" : "5""#, with: #""schemaVersion" : "6""#).utf8)
        let older = Data(text.replacingOccurrences(of: #"  "schemaVersion" : "5",\#n"#, with: "").utf8)
        #expect(other != bytes && older != bytes)
        #expect(StudyResults.schemaVersionProblem(bytes) == nil)
        #expect(StudyResults.schemaVersionProblem(other)
            == "has schemaVersion '6', and this make-report reads schema 5 only (docs/results.schema.json)")
        #expect(StudyResults.schemaVersionProblem(older) == "names no schemaVersion: make-report \(toolVersion) or earlier wrote it, "
            + "and this make-report reads schema 5 only; regenerate it (`make-report run --study study.yaml` in its folder)")
        // Schema 2 (differences and trends with their derivable `resolved`, no runs[].targets): one line too.
        let two = Data(text.replacingOccurrences(of: #""schemaVersion" : "5""#, with: #""schemaVersion" : "2""#)
            .replacingOccurrences(of: #""decision" : "not-resolved","#, with: #""decision" : "not-resolved", "resolved" : false,"#).utf8)
        #expect(StudyResults.schemaVersionProblem(two) == "has schemaVersion '2', and this make-report reads schema 5 only (docs/results.schema.json)")
        #expect { try StudyResults.read(two) } throws: {
            ($0 as? ResultsFileError)?.reason == "has schemaVersion '2', and this make-report reads schema 5 only (docs/results.schema.json)"
        }
        #expect { try ComparableStudy(json: two) } throws: {
            ($0 as? ComparisonInputError)?.reason
                == "a make-report results.json that cannot be used: it has schemaVersion '2', and this make-report reads schema 5 only (docs/results.schema.json)"
        }
        // Schema 3 (no `data.classNames`, which a study of synthetic data lacks anyway): one line too.
        let three = Data(text.replacingOccurrences(of: #""schemaVersion" : "5""#, with: #""schemaVersion" : "3""#).utf8)
        #expect(StudyResults.schemaVersionProblem(three) == "has schemaVersion '3', and this make-report reads schema 5 only (docs/results.schema.json)")
        // Schema 4 (a withheld end of L, k, x0 or b nil, listed in `undetermined`; no `imprecise`): one line too.
        let four = Data(text.replacingOccurrences(of: #""schemaVersion" : "5""#, with: #""schemaVersion" : "4""#).utf8)
        #expect(StudyResults.schemaVersionProblem(four) == "has schemaVersion '4', and this make-report reads schema 5 only (docs/results.schema.json)")
        #expect(throws: ResultsFileError.self) { try StudyResults.read(other) }
        #expect(throws: ComparisonInputError.self) { try ComparableStudy(json: older) }
        #expect(StudyResults.schemaVersionProblem(Data("[1]".utf8)) == nil, "not a results file: decoding says why")
        let hostile = Data(text.replacingOccurrences(of: #""schemaVersion" : "5""#, with: #""schemaVersion" : "6\nforged line\u0007""#).utf8)
        #expect(StudyResults.schemaVersionProblem(hostile)
            == "has schemaVersion '6\\u{A}forged line\\u{7}', and this make-report reads schema 5 only (docs/results.schema.json)")
    }
}
