import Clinic
import FadeModel
import Foundation
import Postgres

/// Answers touch-up questions from the forecast projection: who is due, one client's
/// forecast, the expected touch-up revenue; and calibrates the population parameters.
public struct ForecastQueries: Sendable {
    public let pool: ConnectionPool
    public var schema: String
    public var timelineSchema: String

    public init(pool: ConnectionPool, schema: String = "forecast", timelineSchema: String = "timeline") {
        self.pool = pool
        self.schema = schema
        self.timelineSchema = timelineSchema
    }

    /// Clients whose predicted touch-up date falls before `asOf` + `days` (overdue ones
    /// included), soonest first; forgotten clients are left out (they cannot be contacted).
    public func due(asOf: Date, withinDays days: Int) async throws -> [DueTouchUp] {
        let until = asOf.addingTimeInterval(TimeInterval(days) * 86_400)
        return try await pool.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT client_id::text, crossing_date, interval_low, interval_high, last_treatment_at, current_density,
                       predicted_at
                FROM \(identifier: schema).forecast_clients
                WHERE status = 'predicted' AND NOT erased AND crossing_date < \(until)
                ORDER BY crossing_date, client_id
                """)
            let due = try rows.map { try $0.decode((String, Date, Date?, Date?, Date?, Double?, Date).self) }
            let names = try await ClientNames.lookup(due.map(\.0), schema: timelineSchema, on: connection)
            return due.map { id, dueDate, low, high, lastTreatment, density, predictedAt in
                DueTouchUp(
                    clientID: id, name: names[id], dueDate: dueDate, intervalLow: low, intervalHigh: high,
                    lastTreatmentAt: lastTreatment, densityAtLastEvent: density, predictedAt: predictedAt)
            }
        }
    }

    /// One client's stored forecast; nil when the projection has no row for the client.
    ///
    /// The row stores its prediction without the curve: the prediction comes with the curve sampled again from
    /// the row's subject, `predicted_at` and threshold and the schema's parameters, the inputs the projection
    /// predicted from (`FadePrediction.withCurve`; no curve when a calibration has changed the parameters and the
    /// rebuild that recomputes the rows has not run yet). With `asOf`, also the predicted density on that day (from
    /// the stored subject and the schema's parameters; the stored row's density is as of the client's latest event).
    public func client(_ id: ClientID, asOf: Date? = nil) async throws -> ClientForecast? {
        let key = id.lowerText
        return try await pool.withConnection { connection in
            guard
                let row = try await connection.query(
                    """
                    SELECT status, reason, crossing_date, interval_low, interval_high, current_density, predicted_at,
                           drivers, observations_used, last_treatment_at, price_minor, price_currency, price_source,
                           erased, prediction::text, subject::text
                    FROM \(identifier: schema).forecast_clients WHERE client_id = \(key)::uuid
                    """
                ).first
            else { return nil }
            let decoder = Self.decoder
            let (
                status, reason, dueDate, low, high, density, predictedAt, drivers, observationsUsed, lastTreatment,
                priceMinor, priceCurrency, priceSource, erased, predictionText, subjectText
            ) = try row.decode(
                (
                    String, String?, Date?, Date?, Date?, Double?, Date, String, Int, Date?, Int64?, String?, String,
                    Bool, String?, String
                ).self)
            let names = try await ClientNames.lookup([key], schema: timelineSchema, on: connection)
            let subject = try decoder.decode(FadeSubject.self, from: Data(subjectText.utf8))
            var prediction = try predictionText.map { try decoder.decode(FadePrediction.self, from: Data($0.utf8)) }
            var densityAsOf: Double?
            // The instant the density is asked for, when there is a treatment to fade from.
            let densityAt = subject.sessions.isEmpty ? nil : asOf.map { max($0, predictedAt) }
            if prediction?.status == .predicted || densityAt != nil {
                let settings = try await ForecastParameterStore.load(schema: schema, on: connection)
                prediction = prediction?.withCurve(subject: subject, parameters: settings.parameters, now: predictedAt)
                if let densityAt {
                    densityAsOf = try? FadePredictor().predict(
                        subject: subject, parameters: settings.parameters, threshold: settings.threshold,
                        now: densityAt, withCurve: false
                    ).currentDensity
                }
            }
            return ClientForecast(
                clientID: key, name: names[key], status: status, reason: reason, dueDate: dueDate,
                intervalLow: low, intervalHigh: high, densityAtLastEvent: density, predictedAt: predictedAt,
                densityAsOf: densityAsOf, drivers: drivers, observationsUsed: observationsUsed,
                lastTreatmentAt: lastTreatment, priceMinor: priceMinor, priceCurrency: priceCurrency,
                priceSource: priceSource, erased: erased, prediction: prediction, subject: subject)
        }
    }

    /// Expected touch-up revenue for `months` calendar months from `now`, one outlook per currency.
    ///
    /// Each client's price is their latest touch-up quote, else a third of their plan total,
    /// else `defaultPrice`. Forgotten clients count too: the clinic may still see them. Reads each stored
    /// prediction's crossing distribution; no curve is sampled.
    public func outlook(now: Date, months: Int = 12, defaultPrice: Money) async throws -> [CurrencyOutlook] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT prediction::text, price_minor, price_currency, price_source
                FROM \(identifier: schema).forecast_clients WHERE status = 'predicted' ORDER BY client_id
                """)
        }
        var items: [String: [RevenueItem]] = [:]
        var sources: [String: [String: Int]] = [:]
        for row in rows {
            let (predictionText, minor, storedCurrency, storedSource) = try row.decode(
                (String?, Int64?, String?, String).self)
            guard let text = predictionText else { continue }
            let prediction = try Self.decoder.decode(FadePrediction.self, from: Data(text.utf8))
            let currency = storedCurrency ?? defaultPrice.currency.code
            let source = minor == nil ? "clinic default" : storedSource
            let price = Double(minor ?? defaultPrice.minorUnits) / 100
            items[currency, default: []].append(RevenueItem(prediction: prediction, price: price))
            sources[currency, default: [:]][source, default: 0] += 1
        }
        return try items.keys.sorted().map { currency in
            let outlook = try RevenueOutlook.expected(items: items[currency] ?? [], now: now, months: months)
            return CurrencyOutlook(currency: currency, outlook: outlook, priceSources: sources[currency] ?? [:])
        }
    }

    /// Every client's fade subject, as the projection last saw it (the calibration input).
    public func subjects() async throws -> [FadeSubject] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT subject::text FROM \(identifier: schema).forecast_clients ORDER BY client_id")
        }
        return try rows.map {
            try Self.decoder.decode(FadeSubject.self, from: Data(try $0.decode(String.self).utf8))
        }
    }

    /// Fits the population parameters on every client's subject (from the prior, never from an
    /// earlier calibration) and stores them in the projection's schema; rebuild the projection
    /// afterwards so every row uses them. Throws `FadeError.notEnoughData` when too few follow-ups exist.
    public func calibrate(now: Date, threshold: Double? = nil) async throws -> (FadeCalibration, ForecastSettings) {
        let subjects = try await subjects()
        let latest = subjects.flatMap { $0.sessions + $0.touchUps + $0.observations.map(\.date) }.max() ?? now
        let calibration = try FadeCalibrator(prior: .prior).calibrate(subjects: subjects, now: max(now, latest))
        let current = try await settings()
        let clients = calibration.clients.count
        let settings = ForecastSettings(
            parameters: calibration.parameters, threshold: threshold ?? current.threshold, source: "calibrated",
            calibratedAt: now,
            summary: "\(calibration.usedObservations) observations from \(clients) clients, "
                + "\(calibration.parameters.form.rawValue) form" + (calibration.converged ? "" : " (not converged)"))
        try await pool.withConnection { connection in
            try await ForecastParameterStore.save(settings, schema: schema, on: connection)
        }
        return (calibration, settings)
    }

    /// The settings the schema predicts with.
    public func settings() async throws -> ForecastSettings {
        try await pool.withConnection { try await ForecastParameterStore.load(schema: schema, on: $0) }
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// A client on the touch-up recall list.
public struct DueTouchUp: Sendable, Hashable, Codable {
    public var clientID: String
    public var name: String?
    /// The median predicted crossing of the threshold.
    public var dueDate: Date
    /// The 80% interval.
    public var intervalLow: Date?
    public var intervalHigh: Date?
    public var lastTreatmentAt: Date?
    public var densityAtLastEvent: Double?
    public var predictedAt: Date
}

/// One client's stored forecast.
public struct ClientForecast: Sendable {
    public var clientID: String
    public var name: String?
    /// `predicted` or `not-enough-data`.
    public var status: String
    public var reason: String?
    public var dueDate: Date?
    public var intervalLow: Date?
    public var intervalHigh: Date?
    /// Predicted density at `predictedAt` (the business time of the client's latest relevant event).
    public var densityAtLastEvent: Double?
    public var predictedAt: Date
    /// Predicted density on the `asOf` day asked for (nil when not asked or nothing to predict).
    public var densityAsOf: Double?
    /// Driver sentences joined by "; ".
    public var drivers: String
    public var observationsUsed: Int
    public var lastTreatmentAt: Date?
    public var priceMinor: Int64?
    public var priceCurrency: String?
    public var priceSource: String
    public var erased: Bool
    /// The stored prediction with its curve sampled again (see `ForecastQueries.client`); nil when the client's
    /// pigment was removed or the prediction failed.
    public var prediction: FadePrediction?
    public var subject: FadeSubject
}

/// The touch-up revenue outlook in one currency.
public struct CurrencyOutlook: Sendable {
    public var currency: String
    public var outlook: RevenueOutlook
    /// How many clients' prices came from each source (touch-up quote, third of plan, clinic default).
    public var priceSources: [String: Int]
}
