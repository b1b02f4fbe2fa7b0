import Clinic
import FadeModel
import Foundation

/// A fade prediction as the forecast row stores it (a `jsonb` column): the curve, nearly all of the
/// text, written by hand, the rest by `ForecastFold.json` (`StateJSON`).
///
/// Encoding the curve point by point through an `Encoder` was most of the forecast's cost in a
/// rebuild (through `JSONEncoder` until 2026-12-06, and still through `StateJSON`). The curve's
/// numbers and dates are written as `JSONEncoder` writes them (a `Double`'s shortest form without a
/// trailing `.0`; whole seconds, rounded down, in UTC); keys are in the order the prediction encodes
/// them, which `jsonb` does not keep, so the stored value is what `JSONEncoder`'s text gives.
enum PredictionJSON {
    static func encode(_ prediction: FadePrediction) throws -> Data {
        let numbersAreFinite = prediction.curve.allSatisfy {
            $0.density.isFinite && $0.low.isFinite && $0.high.isFinite && $0.date.timeIntervalSince1970.isFinite
        }
        // A non-finite number is the encoder's to refuse, with its own error.
        guard numbersAreFinite, !prediction.curve.isEmpty else { return try ForecastFold.json(prediction) }
        var rest = prediction
        rest.curve = []
        let head = try ForecastFold.json(rest)
        // Unescaped quotes cannot occur inside a JSON string, so this is the key, once.
        guard let marker = head.firstRange(of: Self.emptyCurve) else { return try ForecastFold.json(prediction) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(head.count + prediction.curve.count * 96)
        bytes.append(contentsOf: head[head.startIndex..<marker.lowerBound])
        bytes.append(contentsOf: #""curve":["#.utf8)
        for (index, point) in prediction.curve.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"date":""#.utf8)
            ISO8601Text.appendSeconds(point.date, to: &bytes)
            bytes.append(contentsOf: #"","density":"#.utf8)
            appendNumber(point.density, to: &bytes)
            bytes.append(contentsOf: #","high":"#.utf8)
            appendNumber(point.high, to: &bytes)
            bytes.append(contentsOf: #","low":"#.utf8)
            appendNumber(point.low, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
        bytes.append(contentsOf: head[marker.upperBound...])
        return Data(bytes)
    }

    private static let emptyCurve = Array(#""curve":[]"#.utf8)

    /// A finite `Double` as `JSONEncoder` writes it.
    static func appendNumber(_ value: Double, to text: inout String) {
        let description = value.description
        if description.hasSuffix(".0") {
            text += description.dropLast(2)
        } else {
            text += description
        }
    }

    /// `appendNumber(_:to:)` as UTF-8 bytes.
    static func appendNumber(_ value: Double, to bytes: inout [UInt8]) {
        let description = value.description
        if description.hasSuffix(".0") {
            bytes.append(contentsOf: description.utf8.dropLast(2))
        } else {
            bytes.append(contentsOf: description.utf8)
        }
    }

    /// A date as `JSONEncoder`'s `.iso8601` writes it: `YYYY-MM-DDTHH:MM:SSZ`, the second rounded down.
    static func appendDate(_ date: Date, to text: inout String) {
        ISO8601Text.appendSeconds(date, to: &text)
    }
}
