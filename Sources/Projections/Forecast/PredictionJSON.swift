import Clinic
import FadeModel
import Foundation

/// A fade prediction as the forecast row stores it (a `json` column, kept as written; its subject too,
/// `encode(_: FadeSubject)`), written by hand: the keys `JSONEncoder` (sorted keys, `.iso8601` dates) writes, in
/// its order, each value spelled by `JSONBytes` as that encoder spells it.
///
/// The row stores a prediction without its curve: `"curve":[]` whatever the prediction holds, the text
/// `JSONEncoder` writes for it with its curve emptied (so `FadePrediction`'s `Decodable` reads it, and rows
/// written before still decode). The curve, ~100 points sampled every 30 days, was nearly all of a stored
/// prediction's 9.9 kB (mean at 1M events) and made this table's COPY the second costliest of a rebuild; it is
/// derived from the row's subject, `predicted_at` and threshold and the schema's parameters, and the one-client
/// reader samples it again (`ForecastQueries.client`, `FadePrediction.withCurve`).
///
/// Encoding a prediction through an `Encoder` was most of the forecast's cost in a rebuild: through
/// `JSONEncoder` until 2026-12-06 (its curve by hand from 2026-12-05), then briefly through `StateJSON`, whose
/// `Encoder` walk (a call and a container per value) costs more than this fixed layout; both write through
/// `JSONBytes`. A prediction holding a non-finite number goes to `ForecastFold.json`, whose encoder refuses it.
enum PredictionJSON {
    static func encode(_ prediction: FadePrediction) throws -> Data {
        guard isFinite(prediction) else {
            var stored = prediction
            stored.curve = []
            return try ForecastFold.json(stored)
        }
        var text = JSONBytes(capacity: 512)
        func key(_ name: StaticString) {
            text.append(UInt8(ascii: "\""))
            text.raw(name)
            text.raw(#"":"#)
        }
        /// A date member the encoder writes only when there is a date (`encodeIfPresent`).
        func optional(_ name: StaticString, _ value: Date?) {
            guard let value else { return }
            key(name)
            text.date(value)
            text.append(UInt8(ascii: ","))
        }
        text.append(UInt8(ascii: "{"))
        if let crossing = prediction.crossing {
            key("crossing")
            text.raw(#"{"logMedianYears":"#)
            text.number(crossing.logMedianYears)
            text.raw(#","logSD":"#)
            text.number(crossing.logSD)
            text.raw(#","origin":"#)
            text.date(crossing.origin)
            text.raw("},")
        }
        optional("crossingDate", prediction.crossingDate)
        if let currentDensity = prediction.currentDensity {
            key("currentDensity")
            text.number(currentDensity)
            text.append(UInt8(ascii: ","))
        }
        key("curve")
        text.raw("[],")
        key("drivers")
        text.append(UInt8(ascii: "["))
        for (index, driver) in prediction.drivers.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            text.raw(#"{"shiftDays":"#)
            text.number(driver.shiftDays)
            text.raw(#","source":"#)
            switch driver.source {
            case .covariate(let factor):
                text.raw(#"{"covariate":{"_0":"#)
                text.string(factor.rawValue)
                text.raw("}}")
            case .ownObservations:
                text.raw(#"{"ownObservations":{}}"#)
            }
            text.raw(#","summary":"#)
            text.string(driver.summary)
            text.append(UInt8(ascii: "}"))
        }
        text.raw("],")
        key("form")
        text.string(prediction.form.rawValue)
        text.append(UInt8(ascii: ","))
        optional("intervalHigh", prediction.intervalHigh)
        optional("intervalLow", prediction.intervalLow)
        key("observationsUsed")
        text.integer(prediction.observationsUsed)
        text.append(UInt8(ascii: ","))
        key("ownDataWeight")
        text.number(prediction.ownDataWeight)
        text.append(UInt8(ascii: ","))
        key("status")
        switch prediction.status {
        case .predicted:
            text.raw(#"{"predicted":{}}"#)
        case .notEnoughData(let reason):
            text.raw(#"{"notEnoughData":{"_0":"#)
            text.string(reason.rawValue)
            text.raw("}}")
        }
        text.append(UInt8(ascii: ","))
        key("threshold")
        text.number(prediction.threshold)
        text.append(UInt8(ascii: "}"))
        return text.data
    }

    /// A fade subject as the forecast row's `subject` column stores it: `JSONEncoder`'s text (sorted keys, `.iso8601`
    /// dates, nil members left out), written by hand as the prediction is. (Through `StateJSON`'s `Encoder` it was a
    /// visible share of a forecast row.) A subject holding a non-finite number goes to `ForecastFold.json`.
    static func encode(_ subject: FadeSubject) throws -> Data {
        let covariates = subject.covariates
        guard (covariates.age ?? 0).isFinite, (covariates.pigmentDilution ?? 0).isFinite,
            subject.observations.allSatisfy({ $0.density.isFinite && $0.date.timeIntervalSince1970.isFinite }),
            subject.sessions.allSatisfy({ $0.timeIntervalSince1970.isFinite }),
            subject.touchUps.allSatisfy({ $0.timeIntervalSince1970.isFinite })
        else { return try ForecastFold.json(subject) }
        var text = JSONBytes(
            capacity: 160 + (subject.sessions.count + subject.touchUps.count) * 23 + subject.observations.count * 48)
        func dates(_ values: [Date]) {
            text.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { text.append(UInt8(ascii: ",")) }
                text.date(value)
            }
            text.append(UInt8(ascii: "]"))
        }
        // The covariates' present members, in key order, each after a comma but the first.
        var members = 0
        func member(_ name: StaticString) {
            if members > 0 { text.append(UInt8(ascii: ",")) }
            members += 1
            text.append(UInt8(ascii: "\""))
            text.raw(name)
            text.raw(#"":"#)
        }
        text.raw(#"{"covariates":{"#)
        if let age = covariates.age {
            member("age")
            text.number(age)
        }
        if let fitzpatrick = covariates.fitzpatrick {
            member("fitzpatrick")
            text.integer(fitzpatrick.rawValue)
        }
        if let oiliness = covariates.oiliness {
            member("oiliness")
            text.integer(oiliness.rawValue)
        }
        if let dilution = covariates.pigmentDilution {
            member("pigmentDilution")
            text.number(dilution)
        }
        if let scarring = covariates.scarring {
            member("scarring")
            text.bool(scarring)
        }
        if let sweating = covariates.sweating {
            member("sweating")
            text.bool(sweating)
        }
        if let swimming = covariates.swimming {
            member("swimming")
            text.bool(swimming)
        }
        if let uvExposure = covariates.uvExposure {
            member("uvExposure")
            text.integer(uvExposure.rawValue)
        }
        text.raw(#"},"id":"#)
        text.string(subject.id)
        text.raw(#","observations":["#)
        for (index, observation) in subject.observations.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            text.raw(#"{"date":"#)
            text.date(observation.date)
            text.raw(#","density":"#)
            text.number(observation.density)
            text.append(UInt8(ascii: "}"))
        }
        text.raw(#"],"sessions":"#)
        dates(subject.sessions)
        text.raw(#","touchUps":"#)
        dates(subject.touchUps)
        text.append(UInt8(ascii: "}"))
        return text.data
    }

    /// Whether every number and date of `prediction` but its curve's is finite (`JSONEncoder` refuses the others).
    static func isFinite(_ prediction: FadePrediction) -> Bool {
        func finite(_ date: Date?) -> Bool { date?.timeIntervalSince1970.isFinite ?? true }
        return prediction.threshold.isFinite && (prediction.currentDensity ?? 0).isFinite
            && prediction.ownDataWeight.isFinite && (prediction.crossing?.logMedianYears ?? 0).isFinite
            && (prediction.crossing?.logSD ?? 0).isFinite
            && finite(prediction.crossingDate) && finite(prediction.intervalLow) && finite(prediction.intervalHigh)
            && finite(prediction.crossing?.origin)
            && prediction.drivers.allSatisfy(\.shiftDays.isFinite)
    }
}
