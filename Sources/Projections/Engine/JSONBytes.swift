import Foundation
import JSONNodes

/// JSON text written straight into bytes, each value spelled as `JSONEncoder` with `.iso8601` dates spells it:
/// a finite `Double` in its shortest round-trip form without a trailing `.0`, a date as `YYYY-MM-DDTHH:MM:SSZ`
/// (whole seconds, rounded down, UTC), a string escaped by `JSONString` (which leaves `/` as it is: `jsonb`
/// reads `\/` and `/` alike).
///
/// The one home of those spellings in the projections' hand-written JSON: `StateJSON` writes any `Encodable`
/// fold state through it (walking the value with the `Encoder` protocol), `PredictionJSON` the forecast row's
/// two documents (laid out by hand, without that protocol's per-value calls). Callers check that numbers are
/// finite (`JSONEncoder` refuses the others: they take their fallback then).
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// The text as `Data`.
    var data: Data { Data(bytes) }

    /// One byte of punctuation.
    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Text as it stands (punctuation, keys that need no escaping): `JSONString.appendLiteral`.
    mutating func raw(_ text: StaticString) {
        JSONString.appendLiteral(text, to: &bytes)
    }

    /// Text that needs no escaping (an integer's digits, `null`), as it stands.
    mutating func plain(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A JSON string.
    mutating func string(_ text: String) {
        JSONString.appendQuoted(text, to: &bytes)
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    mutating func integer<Value: BinaryInteger>(_ value: Value) {
        plain(String(value))
    }

    /// A finite `Float`, as `JSONEncoder` writes it (its shortest form without a trailing `.0`).
    mutating func number(_ value: Float) {
        let description = value.description
        plain(description.hasSuffix(".0") ? String(description.dropLast(2)) : description)
    }

    /// A date, quoted.
    mutating func date(_ value: Date) {
        bytes.append(UInt8(ascii: "\""))
        ISO8601Text.appendSeconds(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A finite `Double`, as `JSONEncoder` writes it.
    mutating func number(_ value: Double) {
        // 0 and 1, frequent in a fade curve (before its decay starts, long after), without formatting them.
        if value == 1 {
            bytes.append(UInt8(ascii: "1"))
            return
        }
        if value == 0 {
            if value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var description = value.description
        description.withUTF8 { text in
            let whole = text.count >= 2 && text[text.count - 2] == UInt8(ascii: ".") && text[text.count - 1] == 48
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<(whole ? text.count - 2 : text.count)]))
        }
    }
}
