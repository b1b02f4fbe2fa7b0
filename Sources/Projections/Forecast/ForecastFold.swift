import Clinic
import EventStore
import FadeModel
import Foundation

/// The pure part of the fade forecast projection: each client's fade inputs, folded from the
/// client's stream, and the prediction made from them at the event's business time.
///
/// `ForecastProjection` runs it with the population parameters stored in its schema. Every
/// prediction uses `event.at` as "now", never the wall clock, so a rebuild reproduces the
/// rows a live run wrote (given the same parameters).
public struct ForecastFold: FoldingProjection {
    public let name = "forecast"
    /// v2: a client whose pigment was removed is no longer forecast; a pigment correction restarts the curve. v3:
    /// sweating and swimming reported at follow-ups are covariates; a sun answer stands in for a missing UV level.
    /// v4: only the events it `folds` make a client's state (a client with none of them has no state row).
    /// v5: the stored prediction has no curve (readers sample it again: `ForecastQueries.client`).
    /// v6: fold states stored as `json` text, not `jsonb` (written and read back verbatim; nothing queries into them).
    /// v7: the row's `prediction` and `subject` are `json` text, not `jsonb` (only ever read back whole).
    public let version = 7
    /// The population parameters predictions use.
    public var parameters: FadeParameters
    /// The density at which a touch-up is due.
    public var threshold: Double

    public init(parameters: FadeParameters = .prior, threshold: Double = FadeParameters.defaultThreshold) {
        self.parameters = parameters
        self.threshold = threshold
    }

    /// A client's fade inputs and what the revenue outlook needs.
    public struct State: Codable, Sendable {
        public var clientID: String
        public var sessions: [Date] = []
        public var touchUps: [Date] = []
        public var observations: [FadeObservation] = []
        public var fitzpatrick: FadeModel.FitzpatrickType?
        public var oiliness: FadeModel.ScalpOiliness?
        public var scarring: Bool?
        /// `YYYY-MM-DD`; cleared when the client is forgotten.
        public var dateOfBirth: String?
        /// The latest self-reported level from a fade observation.
        public var uvExposure: FadeModel.UVExposure?
        /// The latest follow-up answers about regular heavy sweating and swimming.
        public var sweating: Bool?
        public var swimming: Bool?
        /// Dilutions (0–1) parsed from each treatment's pigment mix.
        public var dilutions: [Double] = []
        public var planTotal: Int64?
        public var planCurrency: String?
        public var touchUpQuote: Int64?
        public var touchUpCurrency: String?
        public var erased = false
        /// When pigment was removed (laser or saline): nothing left to fade or touch up.
        public var pigmentRemovedAt: Date?

        /// The fade model's view of the client.
        public var subject: FadeSubject {
            var age: Double?
            if let birth = dateOfBirth.flatMap(CalendarDay.init(iso:)), let first = sessions.min() {
                let years = birth.years(until: CalendarDay(first))
                if (0...120).contains(years) { age = Double(years) }
            }
            let dilution = dilutions.isEmpty ? nil : dilutions.reduce(0, +) / Double(dilutions.count)
            return FadeSubject(
                id: clientID, sessions: sessions, touchUps: touchUps,
                covariates: Covariates(
                    uvExposure: uvExposure, fitzpatrick: fitzpatrick, oiliness: oiliness, age: age,
                    pigmentDilution: dilution, scarring: scarring, sweating: sweating, swimming: swimming),
                observations: observations)
        }

        /// The expected touch-up price: the latest touch-up quote, else a third of the plan total,
        /// else nothing (the query applies the clinic's default).
        public var price: (minor: Int64?, currency: String?, source: String) {
            if let touchUpQuote { return (touchUpQuote, touchUpCurrency, "touch-up quote") }
            if let planTotal { return (planTotal / 3, planCurrency, "third of plan") }
            return (nil, nil, "clinic default")
        }
    }

    public var tables: [TableSpec] {
        [
            TableSpec(
                name: "forecast_clients",
                columns: [
                    .init("client_id", "uuid NOT NULL"), .init("status", "text NOT NULL"), .init("reason", "text"),
                    .init("crossing_date", "timestamptz"), .init("interval_low", "timestamptz"),
                    .init("interval_high", "timestamptz"), .init("current_density", "double precision"),
                    .init("predicted_at", "timestamptz NOT NULL"), .init("drivers", "text NOT NULL"),
                    .init("observations_used", "integer NOT NULL"), .init("own_data_weight", "double precision"),
                    .init("sessions", "integer NOT NULL"), .init("touch_ups", "integer NOT NULL"),
                    .init("last_treatment_at", "timestamptz"), .init("price_minor", "bigint"),
                    .init("price_currency", "text"), .init("price_source", "text NOT NULL"),
                    .init("threshold", "double precision NOT NULL"), .init("form", "text NOT NULL"),
                    .init("erased", "boolean NOT NULL"), .init("prediction", "json"),
                    .init("subject", "json NOT NULL"),
                ],
                primaryKey: ["client_id"], mode: .upsert, indexes: ["crossing_date"])
        ]
    }

    public func stateKey(for stream: EventStreamName) -> String? {
        stream.category == "client" ? stream.id : nil
    }

    /// The client's stream: `client-` and the key.
    public func stream(forKey key: String) -> EventStreamName? {
        (try? EventStreamName(category: "client", id: key)).flatMap { stateKey(for: $0) == key ? $0 : nil }
    }

    public func initialState(for key: String) -> State { State(clientID: key) }

    /// What the fade model and the price outlook read: birth date, screening, plan, treatments, touch-up quotes,
    /// fade observations, forgetting.
    public func folds(_ event: ClinicEvent) -> Bool {
        switch event {
        case .client(.registered), .client(.medicalScreeningRecorded), .client(.treatmentPlanAgreed),
            .client(.sessionPerformed), .client(.touchUpBooked), .client(.touchUpPerformed),
            .client(.correctionPerformed), .client(.fadeObserved), .client(.forgotten):
            true
        default: false
        }
    }

    public func fold(
        _ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    )
        throws
    {
        guard case .client(let clientEvent) = event else { return }
        switch clientEvent {
        case .registered(let e):
            state.dateOfBirth = state.erased ? nil : e.personal.dateOfBirth.description
        case .medicalScreeningRecorded(let e):
            state.fitzpatrick = FadeModel.FitzpatrickType(e.fitzpatrick)
            state.oiliness = FadeModel.ScalpOiliness(e.scalpOiliness)
            state.scarring = e.contraindications.contains(.radiotherapy) || e.contraindications.contains(.keloidHistory)
        case .treatmentPlanAgreed(let e):
            let total = e.pricing.total(sessions: e.sessionsPlanned)
            state.planTotal = total.minorUnits
            state.planCurrency = total.currency.code
        case .sessionPerformed(let e):
            state.sessions.append(e.at)
            if let dilution = Self.dilution(e.treatment.pigment.dilution) { state.dilutions.append(dilution) }
        case .touchUpBooked(let e):
            state.touchUpQuote = e.quotedPrice.minorUnits
            state.touchUpCurrency = e.quotedPrice.currency.code
        case .touchUpPerformed(let e):
            state.touchUps.append(e.at)
            if let dilution = Self.dilution(e.treatment.pigment.dilution) { state.dilutions.append(dilution) }
        case .correctionPerformed(let e):
            if e.method.removesPigment {
                state.pigmentRemovedAt = state.pigmentRemovedAt ?? e.at
            } else {
                state.touchUps.append(e.at)  // re-pigmented: the fade curve starts again from here
            }
        case .fadeObserved(let e):
            state.observations.append(FadeObservation(date: e.at, density: e.density))
            if let uv = e.uvExposure {
                state.uvExposure = FadeModel.UVExposure(uv)
            } else if let sun = e.compliance?.sun {
                // "Kept out of the sun" or not, when no level was asked: low or high exposure.
                state.uvExposure = FadeModel.UVExposure(sun == .lapsed ? Clinic.UVExposure.high : .low)
            }
            if let answer = e.compliance?.sweating { state.sweating = answer == .lapsed }
            if let answer = e.compliance?.swimming { state.swimming = answer == .lapsed }
        case .forgotten:
            state.erased = true
            state.dateOfBirth = nil
        default:
            return
        }
        // Only the last row per client per batch survives the upsert: predict once, in `finish`.
        output.markPending(state.clientID, at: event.at)
    }

    public func finish(_ state: State, key: String, into output: inout ProjectionOutput) throws {
        guard let now = output.pendingTime(for: state.clientID) else { return }
        try output.write("forecast_clients", try row(for: state, now: now))
    }

    /// The row for a client's current prediction, made at `now`.
    func row(for state: State, now: Date) throws -> Row {
        let subject = state.subject
        let status: String
        let reason: String?
        let prediction: FadePrediction?
        if let removed = state.pigmentRemovedAt {
            status = "removed"
            reason = "pigment removed on \(CalendarDay(removed)): no touch-up to forecast"
            prediction = nil
        } else {
            let made = predict(state, subject: subject, now: now)
            status = made.0
            reason = made.1
            prediction = made.2
        }
        return try row(for: state, subject: subject, now: now, status: status, reason: reason, prediction: prediction)
    }

    func predict(_ state: State, subject: FadeSubject, now: Date) -> (String, String?, FadePrediction?) {
        var status = "predicted"
        var reason: String?
        let prediction: FadePrediction?
        do {
            // No curve: the row does not store it (`PredictionJSON`), its reader samples it from the same inputs.
            let made = try FadePredictor().predict(
                subject: subject, parameters: parameters, threshold: threshold, now: now, withCurve: false)
            if case .notEnoughData(let why) = made.status {
                status = "not-enough-data"
                reason = why == .noSessions ? "no course sessions yet" : "\(why)"
            }
            prediction = made
        } catch {
            status = "not-enough-data"
            reason = error.description
            prediction = nil
        }
        return (status, reason, prediction)
    }

    func row(
        for state: State, subject: FadeSubject, now: Date, status: String, reason: String?,
        prediction: FadePrediction?
    ) throws -> Row {
        let price = state.price
        let lastTreatment = (state.sessions + state.touchUps).max()
        return [
            "client_id": .text(state.clientID), "status": .text(status), "reason": reason.rowValue,
            "crossing_date": prediction?.crossingDate.rowValue ?? .null,
            "interval_low": prediction?.intervalLow.rowValue ?? .null,
            "interval_high": prediction?.intervalHigh.rowValue ?? .null,
            "current_density": prediction?.currentDensity.map(RowValue.double) ?? .null, "predicted_at": .date(now),
            "drivers": .text(prediction?.drivers.map(\.summary).joined(separator: "; ") ?? ""),
            "observations_used": .int(Int64(prediction?.observationsUsed ?? 0)),
            "own_data_weight": prediction.map { RowValue.double($0.ownDataWeight) } ?? .null,
            "sessions": .int(Int64(state.sessions.count)), "touch_ups": .int(Int64(state.touchUps.count)),
            "last_treatment_at": lastTreatment.rowValue, "price_minor": price.minor.map(RowValue.int) ?? .null,
            "price_currency": price.currency.rowValue, "price_source": .text(price.source),
            "threshold": .double(threshold), "form": .text(parameters.form.rawValue), "erased": .bool(state.erased),
            "prediction": .json(try prediction.map(PredictionJSON.encode) ?? Data("null".utf8)),
            "subject": .json(try PredictionJSON.encode(subject)),
        ]
    }

    /// A value as the JSON of a `json` column: `StateJSON`'s text (keys in the order the value encodes
    /// them; numbers and dates as `encoder` writes them), else `encoder`'s
    /// (for what `StateJSON` refuses, such as a non-finite number). `JSONEncoder` built a tree of every
    /// value and sorted it. (The prediction and the subject, all of a row's JSON, are written by hand,
    /// `PredictionJSON`; this is their fallback.)
    static func json<Value: Encodable>(_ value: Value) throws -> Data {
        if let json = try? StateJSON.encode(value) { return json }
        return try encoder.encode(value)
    }

    /// One encoder for every row (`encode` is safe to call concurrently).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The diluent fraction in a pigment mix description such as "Charcoal, 20% diluted";
    /// nil when the text holds no percentage.
    static func dilution(_ text: String) -> Double? {
        guard let percent = text.firstIndex(of: "%") else { return nil }
        let digits = text[..<percent].reversed().prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let value = Double(String(digits.reversed())), value.isFinite else { return nil }
        return min(max(value / 100, 0), 1)
    }
}

extension FadeModel.FitzpatrickType {
    init(_ type: Clinic.FitzpatrickType) {
        switch type {
        case .i: self = .i
        case .ii: self = .ii
        case .iii: self = .iii
        case .iv: self = .iv
        case .v: self = .v
        case .vi: self = .vi
        }
    }
}

extension FadeModel.ScalpOiliness {
    init(_ oiliness: Clinic.ScalpOiliness) {
        switch oiliness {
        case .dry: self = .dry
        case .normal: self = .normal
        case .oily: self = .oily
        case .veryOily: self = .veryOily
        }
    }
}

extension FadeModel.UVExposure {
    init(_ exposure: Clinic.UVExposure) {
        switch exposure {
        case .low: self = .low
        case .moderate: self = .moderate
        case .high: self = .high
        }
    }
}
