import Clinic
import FadeModel
import Foundation
import JSONNodes

/// A fade prediction as the forecast row stores it (a `jsonb` column; its subject too, `encode(_: FadeSubject)`),
/// written by hand: the keys `JSONEncoder` (sorted keys, `.iso8601` dates) writes, in its order, numbers and dates as it writes them (a `Double`'s
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
        /// Text as it stands, copied from the literal (appending a literal's `utf8` view went element by element).
        func raw(_ text: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        func key(_ name: StaticString) {
            bytes.append(UInt8(ascii: "\""))
            raw(name)
            raw(#"":"#)
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
            raw(#"{"logMedianYears":"#)
            appendNumber(crossing.logMedianYears, to: &bytes)
            raw(#","logSD":"#)
            appendNumber(crossing.logSD, to: &bytes)
            raw(#","origin":"#)
            date(crossing.origin)
            raw("},")
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
            raw(#"{"date":"#)
            date(point.date)
            raw(#","density":"#)
            appendNumber(point.density, to: &bytes)
            raw(#","high":"#)
            appendNumber(point.high, to: &bytes)
            raw(#","low":"#)
            appendNumber(point.low, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        raw("],")
        key("drivers")
        bytes.append(UInt8(ascii: "["))
        for (index, driver) in prediction.drivers.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            raw(#"{"shiftDays":"#)
            appendNumber(driver.shiftDays, to: &bytes)
            raw(#","source":"#)
            switch driver.source {
            case .covariate(let factor):
                raw(#"{"covariate":{"_0":"#)
                JSONString.appendQuoted(factor.rawValue, to: &bytes)
                raw("}}")
            case .ownObservations:
                raw(#"{"ownObservations":{}}"#)
            }
            raw(#","summary":"#)
            JSONString.appendQuoted(driver.summary, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        raw("],")
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
            raw(#"{"predicted":{}}"#)
        case .notEnoughData(let reason):
            raw(#"{"notEnoughData":{"_0":"#)
            JSONString.appendQuoted(reason.rawValue, to: &bytes)
            raw("}}")
        }
        bytes.append(UInt8(ascii: ","))
        key("threshold")
        appendNumber(prediction.threshold, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return Data(bytes)
    }

    /// A fade subject as the forecast row's `subject` column stores it: `JSONEncoder`'s text (sorted keys, `.iso8601`
    /// dates, nil members left out), written by hand as the prediction is. (Through `StateJSON`'s `Encoder` it was a
    /// visible share of a forecast row.) A subject holding a non-finite number goes to `ForecastFold.json`.
    static func encode(_ subject: FadeSubject) throws -> Data {
        let covariates = subject.covariates
        guard (covariates.age ?? 0).isFinite, (covariates.pigmentDilution ?? 0).isFinite,
            subject.observations.allSatisfy({ $0.density.isFinite && $0.date.timeIntervalSince1970.isFinite }),
            (subject.sessions + subject.touchUps).allSatisfy({ $0.timeIntervalSince1970.isFinite })
        else { return try ForecastFold.json(subject) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(
            160 + (subject.sessions.count + subject.touchUps.count) * 23 + subject.observations.count * 48)
        func raw(_ text: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        func date(_ value: Date) {
            bytes.append(UInt8(ascii: "\""))
            ISO8601Text.appendSeconds(value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        func dates(_ values: [Date]) {
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                date(value)
            }
            bytes.append(UInt8(ascii: "]"))
        }
        // The covariates' present members, in key order, each after a comma but the first.
        var members = 0
        func member(_ name: StaticString) {
            if members > 0 { bytes.append(UInt8(ascii: ",")) }
            members += 1
            bytes.append(UInt8(ascii: "\""))
            raw(name)
            raw(#"":"#)
        }
        func flag(_ value: Bool) {
            if value { raw("true") } else { raw("false") }
        }
        raw(#"{"covariates":{"#)
        if let age = covariates.age {
            member("age")
            appendNumber(age, to: &bytes)
        }
        if let fitzpatrick = covariates.fitzpatrick {
            member("fitzpatrick")
            bytes.append(contentsOf: String(fitzpatrick.rawValue).utf8)
        }
        if let oiliness = covariates.oiliness {
            member("oiliness")
            bytes.append(contentsOf: String(oiliness.rawValue).utf8)
        }
        if let dilution = covariates.pigmentDilution {
            member("pigmentDilution")
            appendNumber(dilution, to: &bytes)
        }
        if let scarring = covariates.scarring {
            member("scarring")
            flag(scarring)
        }
        if let sweating = covariates.sweating {
            member("sweating")
            flag(sweating)
        }
        if let swimming = covariates.swimming {
            member("swimming")
            flag(swimming)
        }
        if let uvExposure = covariates.uvExposure {
            member("uvExposure")
            bytes.append(contentsOf: String(uvExposure.rawValue).utf8)
        }
        raw(#"},"id":"#)
        JSONString.appendQuoted(subject.id, to: &bytes)
        raw(#","observations":["#)
        for (index, observation) in subject.observations.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            raw(#"{"date":"#)
            date(observation.date)
            raw(#","density":"#)
            appendNumber(observation.density, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        raw(#"],"sessions":"#)
        dates(subject.sessions)
        raw(#","touchUps":"#)
        dates(subject.touchUps)
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
        var description = value.description
        description.withUTF8 { text in
            let whole = text.count >= 2 && text[text.count - 2] == UInt8(ascii: ".") && text[text.count - 1] == 48
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<(whole ? text.count - 2 : text.count)]))
        }
    }

    /// A date as `JSONEncoder`'s `.iso8601` writes it: `YYYY-MM-DDTHH:MM:SSZ`, the second rounded down.
    static func appendDate(_ date: Date, to text: inout String) {
        ISO8601Text.appendSeconds(date, to: &text)
    }
}
