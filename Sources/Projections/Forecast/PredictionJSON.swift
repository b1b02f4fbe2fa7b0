import Clinic
import FadeModel
import Foundation

/// A fade prediction as the forecast row stores it: the exact bytes `JSONEncoder` (sorted keys,
/// `.iso8601` dates) writes, with the curve, nearly all of them, written by hand.
///
/// Encoding the curve point by point through `Codable` was most of the forecast's cost in a
/// rebuild. The rest of the prediction still goes through the encoder, and the curve's numbers and
/// dates are written as the encoder writes them (a `Double`'s shortest form without a trailing
/// `.0`; whole seconds, rounded down, in UTC), so the stored JSON is unchanged byte for byte.
enum PredictionJSON {
    static func encode(_ prediction: FadePrediction, with encoder: JSONEncoder) throws -> Data {
        let numbersAreFinite = prediction.curve.allSatisfy {
            $0.density.isFinite && $0.low.isFinite && $0.high.isFinite && $0.date.timeIntervalSince1970.isFinite
        }
        // A non-finite number is the encoder's to refuse, with its own error.
        guard numbersAreFinite, !prediction.curve.isEmpty else { return try encoder.encode(prediction) }
        var rest = prediction
        rest.curve = []
        let head = try encoder.encode(rest)
        // Unescaped quotes cannot occur inside a JSON string, so this is the key, once.
        guard let marker = head.firstRange(of: Self.emptyCurve) else { return try encoder.encode(prediction) }
        var text = String(decoding: head[head.startIndex..<marker.lowerBound], as: UTF8.self)
        text.reserveCapacity(head.count + prediction.curve.count * 96)
        text += #""curve":["#
        for (index, point) in prediction.curve.enumerated() {
            if index > 0 { text += "," }
            text += #"{"date":""#
            appendDate(point.date, to: &text)
            text += #"","density":"#
            appendNumber(point.density, to: &text)
            text += #","high":"#
            appendNumber(point.high, to: &text)
            text += #","low":"#
            appendNumber(point.low, to: &text)
            text += "}"
        }
        text += "]"
        var data = Data(text.utf8)
        data.append(head[marker.upperBound...])
        return data
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

    /// A date as `JSONEncoder`'s `.iso8601` writes it: `YYYY-MM-DDTHH:MM:SSZ`, the second rounded down.
    static func appendDate(_ date: Date, to text: inout String) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        // Years 1600–9999 by hand; anything else as the encoder's formatter writes it.
        guard seconds >= -11_676_096_000, seconds <= 253_402_300_799 else {
            text += Date(timeIntervalSince1970: seconds).formatted(.iso8601)
            return
        }
        let whole = Int(seconds)
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = whole - days * 86_400
        let civil = CalendarDay(daysSinceEpoch: days)
        let (year, month, day) = (civil.year, civil.month, civil.day)
        append(year, 4, to: &text)
        text += "-"
        append(month, 2, to: &text)
        text += "-"
        append(day, 2, to: &text)
        text += "T"
        append(secondOfDay / 3600, 2, to: &text)
        text += ":"
        append(secondOfDay % 3600 / 60, 2, to: &text)
        text += ":"
        append(secondOfDay % 60, 2, to: &text)
        text += "Z"
    }

    private static func append(_ value: Int, _ width: Int, to text: inout String) {
        var digits = width
        var divisor = 1
        while digits > 1 {
            divisor *= 10
            digits -= 1
        }
        while divisor > 0 {
            text.unicodeScalars.append(Unicode.Scalar(UInt8(48 + value / divisor % 10)))
            divisor /= 10
        }
    }
}
