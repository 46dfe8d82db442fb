import ArgumentParser
import Foundation
import PoisoningEngine

/// What a number on the command line must be, as a refusal says it.
private let decimalNotation = "a finite number in decimal notation (digits, an optional point and exponent, e.g. 0.05 or 1e-3)"

/// How every option that takes a fractional number reads its value: in decimal notation only (ASCII
/// digits, one optional point, an optional exponent `e±N`: `0.05`, `.5`, `1e-3`; `decimalNumber`),
/// as a study file's numbers are read, and finite. Swift's `Double(_:)` would also take `0x1p-1`,
/// `inf`, `nan` and `infinity`; each is refused, in one line naming the option and the value (exit 2).
/// Whole-number options are read by `wholeNumberOption`.
func decimalOption(_ text: String) throws -> Double {
    guard let number = decimalNumber(text), number.isFinite else {
        throw ValidationError("not \(decimalNotation)")
    }
    return number
}

/// A comma-separated list of numbers, each read by `decimalOption`; the first item that is not one is
/// named in the refusal.
func decimalListOption(_ text: String) throws -> CommaList<Double> {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    if items == [""] { return CommaList([]) }
    return CommaList(try items.map { item in
        guard let number = decimalNumber(item), number.isFinite else {
            throw ValidationError("'\(item)' is not \(decimalNotation)")
        }
        return number
    })
}

/// What a whole number on the command line must be, as a refusal says it.
private let wholeNotation = "a whole number in decimal digits (0-9 only: no sign, no blanks, no point)"

/// The whole number `text` writes in ASCII decimal digits only, or nil: one rule for every option that
/// takes a whole number or a list of them (Swift's `Int(_:)` would also take `+3` and `-1`, and the
/// comma lists used to drop blanks around an item).
private func decimalDigitsNumber<Number: FixedWidthInteger>(_ text: some StringProtocol) -> Number? {
    guard !text.isEmpty, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
    return Number(text, radix: 10)
}

/// Why `text` is not a whole number of type `Number`: not in decimal digits, or larger than its
/// largest value.
private func wholeNumberProblem<Number: FixedWidthInteger>(_ text: some StringProtocol, as type: Number.Type) -> String {
    guard !text.isEmpty, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
        return "\(quotedUserText(text)) is not \(wholeNotation)"
    }
    return "\(quotedUserText(text)) is larger than \(Number.max)"
}

/// How every option that takes a whole number reads its value (`--epochs`, `--samples`,
/// `--data-seed`, `--threads`, …): ASCII decimal digits only, refused in one line saying why.
func wholeNumberOption<Number: FixedWidthInteger>(_ text: String) throws -> Number {
    guard let number: Number = decimalDigitsNumber(text) else { throw ValidationError(wholeNumberProblem(text, as: Number.self)) }
    return number
}

/// A comma-separated list of whole numbers (`--widths`, `--seeds`), each read by `wholeNumberOption`;
/// the first item that is not one (an empty item included) is named in the refusal.
func wholeNumberListOption<Number: FixedWidthInteger & ExpressibleByArgument & Sendable>(_ text: String) throws -> CommaList<Number> {
    if text.isEmpty { return CommaList([]) }
    return CommaList(try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
        guard let number: Number = decimalDigitsNumber(item) else {
            throw ValidationError(item.isEmpty ? "an empty item in \(quotedUserText(text)); give numbers separated by single commas"
                                               : wholeNumberProblem(item, as: Number.self))
        }
        return number
    })
}
