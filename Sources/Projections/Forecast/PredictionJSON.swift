import Clinic
import FadeModel
import Foundation
import JSONNodes

/// A fade prediction as the forecast row stores it (a `jsonb` column), written by hand: the keys `JSONEncoder`
/// (sorted keys, `.iso8601` dates) writes, in its order, numbers and dates as it writes them (a `Double`'s
/// shortest form without a trailing `.0`; whole seconds, rounded down, in UTC), strings escaped by
/// `JSONString` (which leaves `/` as it is: `jsonb` reads `\/` and `/` alike).
///
/// Encoding a prediction through an `Encoder` was most of the forecast's cost in a rebuild: through
/// `JSONEncoder` until 2026-12-06 (its curve by hand from 2026-12-05), then briefly through `StateJSON`.
/// A prediction holding a non-finite number goes to `ForecastFold.json`, whose encoder refuses it.
enum PredictionJSON {
    static func encode(_ prediction: FadePrediction) throws -> Data {
        guard isFinite(prediction) else { return try ForecastFold.json(prediction) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(320 + prediction.curve.count * 96)
        func key(_ name: StaticString) {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            bytes.append(contentsOf: #"":"#.utf8)
        }
        func date(_ value: Date) {
            bytes.append(UInt8(ascii: "\""))
            ISO8601Text.appendSeconds(value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        /// A date member the encoder writes only when there is a date (`encodeIfPresent`).
        func optional(_ name: StaticString, _ value: Date?) {
            guard let value else { return }
            key(name)
            date(value)
            bytes.append(UInt8(ascii: ","))
        }
        bytes.append(UInt8(ascii: "{"))
        if let crossing = prediction.crossing {
            key("crossing")
            bytes.append(contentsOf: #"{"logMedianYears":"#.utf8)
            appendNumber(crossing.logMedianYears, to: &bytes)
            bytes.append(contentsOf: #","logSD":"#.utf8)
            appendNumber(crossing.logSD, to: &bytes)
            bytes.append(contentsOf: #","origin":"#.utf8)
            date(crossing.origin)
            bytes.append(contentsOf: "},".utf8)
        }
        optional("crossingDate", prediction.crossingDate)
        if let currentDensity = prediction.currentDensity {
            key("currentDensity")
            appendNumber(currentDensity, to: &bytes)
            bytes.append(UInt8(ascii: ","))
        }
        key("curve")
        bytes.append(UInt8(ascii: "["))
        for (index, point) in prediction.curve.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"date":"#.utf8)
            date(point.date)
            bytes.append(contentsOf: #","density":"#.utf8)
            appendNumber(point.density, to: &bytes)
            bytes.append(contentsOf: #","high":"#.utf8)
            appendNumber(point.high, to: &bytes)
            bytes.append(contentsOf: #","low":"#.utf8)
            appendNumber(point.low, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(contentsOf: "],".utf8)
        key("drivers")
        bytes.append(UInt8(ascii: "["))
        for (index, driver) in prediction.drivers.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"shiftDays":"#.utf8)
            appendNumber(driver.shiftDays, to: &bytes)
            bytes.append(contentsOf: #","source":"#.utf8)
            switch driver.source {
            case .covariate(let factor):
                bytes.append(contentsOf: #"{"covariate":{"_0":"#.utf8)
                JSONString.appendQuoted(factor.rawValue, to: &bytes)
                bytes.append(contentsOf: "}}".utf8)
            case .ownObservations:
                bytes.append(contentsOf: #"{"ownObservations":{}}"#.utf8)
            }
            bytes.append(contentsOf: #","summary":"#.utf8)
            JSONString.appendQuoted(driver.summary, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(contentsOf: "],".utf8)
        key("form")
        JSONString.appendQuoted(prediction.form.rawValue, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        optional("intervalHigh", prediction.intervalHigh)
        optional("intervalLow", prediction.intervalLow)
        key("observationsUsed")
        bytes.append(contentsOf: String(prediction.observationsUsed).utf8)
        bytes.append(UInt8(ascii: ","))
        key("ownDataWeight")
        appendNumber(prediction.ownDataWeight, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        key("status")
        switch prediction.status {
        case .predicted:
            bytes.append(contentsOf: #"{"predicted":{}}"#.utf8)
        case .notEnoughData(let reason):
            bytes.append(contentsOf: #"{"notEnoughData":{"_0":"#.utf8)
            JSONString.appendQuoted(reason.rawValue, to: &bytes)
            bytes.append(contentsOf: "}}".utf8)
        }
        bytes.append(UInt8(ascii: ","))
        key("threshold")
        appendNumber(prediction.threshold, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return Data(bytes)
    }

    /// Whether every number and date of `prediction` is finite (`JSONEncoder` refuses the others).
    static func isFinite(_ prediction: FadePrediction) -> Bool {
        let numbers = [
            prediction.threshold, prediction.currentDensity ?? 0, prediction.ownDataWeight,
            prediction.crossing?.logMedianYears ?? 0, prediction.crossing?.logSD ?? 0,
        ]
        let dates = [
            prediction.crossingDate, prediction.intervalLow, prediction.intervalHigh, prediction.crossing?.origin,
        ]
        return numbers.allSatisfy(\.isFinite)
            && dates.allSatisfy { $0?.timeIntervalSince1970.isFinite ?? true }
            && prediction.drivers.allSatisfy(\.shiftDays.isFinite)
            && prediction.curve.allSatisfy {
                $0.density.isFinite && $0.low.isFinite && $0.high.isFinite && $0.date.timeIntervalSince1970.isFinite
            }
    }

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
