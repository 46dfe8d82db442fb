import ArgumentParser
import Foundation
import PoisoningEngine

/// What a number on the command line must be, as a refusal says it.
private let decimalNotation = "a finite number in decimal notation (digits, an optional point and exponent, e.g. 0.05 or 1e-3)"

/// How every option that takes a fractional number reads its value: in decimal notation only (ASCII
/// digits, one optional point, an optional exponent `e±N`: `0.05`, `.5`, `1e-3`; `decimalNumber`),
/// as a study file's numbers are read, and finite. Swift's `Double(_:)` would also take `0x1p-1`,
/// `inf`, `nan` and `infinity`; each is refused, in one line naming the option and the value (exit 2).
/// Whole-number options need no such parser: `Int(_:)` reads only decimal digits with a sign.
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
