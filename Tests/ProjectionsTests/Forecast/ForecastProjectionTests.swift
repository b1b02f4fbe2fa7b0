import Clinic
import EventStore
import FadeModel
import Foundation
import Postgres
import Projections
import TestSupport
import Testing

@Suite("The fade forecast projection")
struct ForecastProjectionTests {
    static let julianYear = 31_557_600.0
    static let z90 = 1.2815515655446004

    static func dump(_ database: TestDatabase) async throws -> [String] {
        try await SMPHistory.rows(database, "SELECT * FROM forecast.forecast_clients ORDER BY client_id")
            + SMPHistory.rows(database, "SELECT * FROM traceability.traceability_batches ORDER BY batch_number")
            + SMPHistory.rows(
                database, "SELECT * FROM traceability.traceability_uses ORDER BY batch_number, appointment_id")
            + SMPHistory.rows(database, "SELECT * FROM schedule.schedule_appointments ORDER BY appointment_id")
            + SMPHistory.rows(database, "SELECT * FROM schedule.schedule_technicians ORDER BY technician_id")
    }

    static let projections: [any Projection] = [
        TimelineProjection(), TraceabilityProjection(), ScheduleProjection(), ForecastProjection(),
    ]

    @Test("an average client's forecast is the prior's: 4 years after the healed last session, 80% in 2.84–5.63")
    func averageClient() async throws {
        try await TestDatabase.with { database in
            try await SMPHistory.append(SMPHistory.events, to: database.store)
            try await ProjectionRunner(store: database.store, projections: Self.projections).catchUp()
            let dan = try #require(try await ForecastQueries(pool: database.pool).client(SMPHistory.dan))
            #expect(dan.status == "predicted")
            // Last session 2024-03-01 13:00, healed 28 days later, then 4 Julian years.
            let origin = SMPHistory.date("2024-03-29", 13)
            let due = try #require(dan.dueDate)
            #expect(abs(due.timeIntervalSince(origin) - 4 * Self.julianYear) < 1)
            #expect(TableDay.of(due) == "2028-03-29")
            let sd = (0.22 * 0.22 + 0.15 * 0.15).squareRoot()
            let low = try #require(dan.intervalLow)
            let high = try #require(dan.intervalHigh)
            #expect(abs(low.timeIntervalSince(origin) / Self.julianYear - 4 * exp(-Self.z90 * sd)) < 0.001)
            #expect(abs(high.timeIntervalSince(origin) / Self.julianYear - 4 * exp(Self.z90 * sd)) < 0.001)
            #expect(dan.densityAtLastEvent == 1, "still healing at the last session")
            #expect(dan.predictedAt == SMPHistory.date("2024-03-01", 13))
            #expect(dan.drivers == "")
            #expect(dan.priceMinor == nil)
            #expect(dan.priceSource == "clinic default")
            #expect(dan.subject.covariates.pigmentDilution.map { abs($0 - 0.3) < 1e-12 } == true)
            #expect(dan.subject.covariates.age == nil)
            // On the median due day the average client's density is exactly the threshold.
            let onDue = try await ForecastQueries(pool: database.pool).client(SMPHistory.dan, asOf: due)
            #expect(onDue?.densityAsOf.map { abs($0 - 0.6) < 1e-6 } == true)
            #expect(onDue?.densityAtLastEvent == 1, "the stored row is unchanged")
        }
    }

    @Test("covariates come from screening, birth date, pigment mix and self-reported UV; prices from quotes or plans")
    func covariatesAndPrices() async throws {
        try await TestDatabase.with { database in
            try await SMPHistory.append(SMPHistory.events, to: database.store)
            try await ProjectionRunner(store: database.store, projections: Self.projections).catchUp()
            let queries = ForecastQueries(pool: database.pool)
            let alice = try #require(try await queries.client(SMPHistory.alice))
            let c = alice.subject.covariates
            #expect(c.uvExposure == .high, "the latest level reported; a later observation without one keeps it")
            #expect(c.fitzpatrick == .iii)
            #expect(c.oiliness == .oily)
            #expect(c.age == 43, "born 1980-06-15, first session 2024-02-10")
            #expect(c.pigmentDilution.map { abs($0 - 0.25) < 1e-12 } == true, "20%, 20%, 40%, 20%")
            #expect(c.scarring == false)
            #expect(alice.subject.sessions.count == 3)
            #expect(alice.subject.touchUps == [SMPHistory.date("2026-02-01", 10)])
            #expect(alice.subject.observations.map(\.density) == [0.85, 0.8])
            #expect(alice.observationsUsed == 2)
            #expect(alice.priceMinor == 80_000)
            #expect(alice.priceCurrency == "USD")
            #expect(alice.priceSource == "touch-up quote")
            #expect(alice.drivers.contains("high UV exposure"))
            // The forecast after the touch-up starts from the touch-up, and matches the model's own answer.
            let expected = try FadePredictor().predict(
                subject: alice.subject, parameters: .prior, now: SMPHistory.date("2026-02-01", 10))
            #expect(alice.prediction?.crossing?.origin == SMPHistory.date("2026-03-01", 10))
            #expect(abs((alice.dueDate ?? .distantPast).timeIntervalSince(expected.crossingDate ?? .distantFuture)) < 1)
            // Bob was forgotten: his birth date no longer counts; his price is a third of his plan.
            let bob = try #require(try await queries.client(SMPHistory.bob))
            #expect(bob.erased)
            #expect(bob.subject.covariates.age == nil)
            #expect(bob.priceMinor == Int64(66_666), "USD 2,000.00 / 3, rounded down")
            #expect(bob.priceSource == "third of plan")
            // Cara never had a session.
            let cara = try #require(try await queries.client(SMPHistory.cara))
            #expect(cara.status == "not-enough-data")
            #expect(cara.reason == "no course sessions yet")
            #expect(cara.dueDate == nil)
            #expect(try await queries.client(SMPHistory.uuid(0xFFFF)) == nil)
        }
    }

    @Test("the recall list holds clients due before the window ends, overdue ones too, never forgotten ones")
    func dueWithin() async throws {
        try await TestDatabase.with { database in
            try await SMPHistory.append(SMPHistory.events, to: database.store)
            try await ProjectionRunner(store: database.store, projections: Self.projections).catchUp()
            let queries = ForecastQueries(pool: database.pool)
            let dan = SMPHistory.dan.uuidString.lowercased()
            let due = try await queries.due(asOf: SMPHistory.date("2028-01-01"), withinDays: 90)
            #expect(due.map(\.clientID) == [dan])
            #expect(due.first?.lastTreatmentAt == SMPHistory.date("2024-03-01", 13))
            #expect(due.first?.name == nil)
            #expect(try await queries.due(asOf: SMPHistory.date("2027-12-01"), withinDays: 90).isEmpty)
            let later = try await queries.due(asOf: SMPHistory.date("2035-01-01"), withinDays: 0)
            #expect(later.map(\.clientID) == [dan, SMPHistory.alice.uuidString.lowercased()])
            #expect(later.last?.name == "Alice Able")
        }
    }

    @Test("habits reported at a follow-up become covariates (sun for a missing UV level); healing-check answers do not")
    func complianceAnswers() async throws {
        try await TestDatabase.with { database in
            let dan = "client-" + SMPHistory.dan.uuidString.lowercased()
            let check = HealingCheckRecorded(
                at: SMPHistory.date("2024-03-08", 10), appointmentID: SMPHistory.uuid(0x4003), day: 7,
                assessment: .normal,
                compliance: CareCompliance(sun: .lapsed, sweating: .lapsed, swimming: .lapsed))
            try await SMPHistory.append(
                SMPHistory.events + [(dan, .client(.healingCheckRecorded(check)))], to: database.store)
            try await ProjectionRunner(store: database.store, projections: Self.projections).catchUp()
            let queries = ForecastQueries(pool: database.pool)
            let healing = try #require(try await queries.client(SMPHistory.dan))
            let before = healing.subject.covariates
            #expect(before.sweating == nil && before.swimming == nil && before.uvExposure == nil)
            let followUp = FadeObserved(
                at: SMPHistory.date("2025-04-01", 10), density: 0.9, method: .photoAnalysis,
                compliance: CareCompliance(sun: .lapsed, sweating: .lapsed, swimming: .kept))
            try await SMPHistory.append([(dan, .client(.fadeObserved(followUp)))], to: database.store)
            try await ProjectionRunner(store: database.store, projections: Self.projections).catchUp()
            let answered = try #require(try await queries.client(SMPHistory.dan))
            #expect(answered.subject.covariates.sweating == true)
            #expect(answered.subject.covariates.swimming == false)
            #expect(answered.subject.covariates.uvExposure == .high)
            #expect(answered.drivers.contains("regular heavy sweating (gym, sport)"))
        }
    }

    @Test("a client whose pigment was removed leaves the recall list and the outlook; a correction restarts the curve")
    func removalAndCorrection() async throws {
        try await TestDatabase.with { database in
            let dan = "client-" + SMPHistory.dan.uuidString.lowercased()
            let alice = "client-" + SMPHistory.alice.uuidString.lowercased()
            let removal = CorrectionPerformed(
                at: SMPHistory.date("2025-06-01"), method: .laserRemoval, sessionNumber: 1, areas: [.frontalHairline],
                provider: "Partner laser clinic")
            let correction = CorrectionPerformed(
                at: SMPHistory.date("2026-06-01"), method: .pigmentCorrection, sessionNumber: 1,
                areas: [.frontalHairline], provider: "Stipple London")
            try await SMPHistory.append(
                SMPHistory.events + [
                    (dan, .client(.correctionPerformed(removal))), (alice, .client(.correctionPerformed(correction))),
                ],
                to: database.store)
            try await ProjectionRunner(store: database.store, projections: Self.projections).catchUp()
            let queries = ForecastQueries(pool: database.pool)
            let removed = try #require(try await queries.client(SMPHistory.dan))
            #expect(removed.status == "removed")
            #expect(removed.reason == "pigment removed on 2025-06-01: no touch-up to forecast")
            #expect(removed.dueDate == nil)
            let later = try await queries.due(asOf: SMPHistory.date("2035-01-01"), withinDays: 0)
            #expect(later.map(\.clientID) == [SMPHistory.alice.uuidString.lowercased()])
            // Alice's curve now starts from the correction after her touch-up (a re-pigmentation counts like one).
            let corrected = try #require(try await queries.client(SMPHistory.alice))
            #expect(corrected.status == "predicted", "\(corrected.reason ?? "")")
            #expect(corrected.subject.touchUps.last == SMPHistory.date("2026-06-01"))
            #expect(corrected.lastTreatmentAt == SMPHistory.date("2026-06-01"))
        }
    }

    @Test("the revenue outlook spreads each price over the months by the crossing's probability")
    func outlook() async throws {
        try await TestDatabase.with { database in
            try await SMPHistory.append(SMPHistory.events, to: database.store)
            try await ProjectionRunner(store: database.store, projections: Self.projections).catchUp()
            let queries = ForecastQueries(pool: database.pool)
            let outlooks = try await queries.outlook(
                now: SMPHistory.date("2028-01-01"), months: 12, defaultPrice: SMPHistory.usd(600))
            let usd = try #require(outlooks.first)
            #expect(outlooks.map(\.currency) == ["USD"])
            #expect(usd.priceSources == ["touch-up quote": 1, "third of plan": 1, "clinic default": 1])
            #expect(usd.outlook.months.count == 12)
            // Every price is accounted for once: overdue + months + later = 800 + 666.66 + 600.
            let total = usd.outlook.overdue + usd.outlook.later + usd.outlook.months.reduce(0) { $0 + $1.expected }
            #expect(abs(total - (800 + 666.66 + 600)) < 1e-6)
            #expect(usd.outlook.months.allSatisfy { $0.expected >= 0 })
            #expect(usd.outlook.months.first?.start == SMPHistory.date("2028-01-01"))
            #expect(usd.outlook.unpredicted == 0)
        }
    }

    @Test("following the log in small steps gives the same tables as one rebuild")
    func liveEqualsRebuild() async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(store: database.store, projections: Self.projections, batchSize: 3)
            let events = SMPHistory.events
            var index = 0
            while index < events.count {
                let step = Array(events[index..<min(index + 4, events.count)])
                try await SMPHistory.append(step, to: database.store)
                try await runner.catchUp()
                index += step.count
            }
            let live = try await Self.dump(database)
            #expect(live.count == 32, "4 forecasts, 2 batches, 9 uses, 15 appointments, 2 technicians")
            for name in ["forecast", "traceability", "schedule"] { try await runner.rebuild(name) }
            #expect(try await Self.dump(database) == live)
            // And a fresh database built in one go agrees too.
            try await TestDatabase.with { other in
                try await SMPHistory.append(events, to: other.store)
                try await ProjectionRunner(store: other.store, projections: Self.projections, batchSize: 500).catchUp()
                #expect(try await Self.dump(other) == live)
            }
        }
    }

    @Test(
        "the row stores no curve; one client's forecast has the curve FadePredictor samples from the row's inputs"
    )
    func curveSampledOnRead() async throws {
        try await TestDatabase.with { database in
            // Dan's last event long past his crossing: a curve sampled at another time than `predicted_at` (the wall
            // clock's, say) ends elsewhere.
            let booking = TouchUpBooked(
                at: SMPHistory.date("2035-01-10"), appointmentID: SMPHistory.uuid(0x4100),
                slot: SMPHistory.slot("2035-02-01", 10, minutes: 120), locationID: SMPHistory.london,
                technicianID: SMPHistory.tech1, quotedPrice: SMPHistory.usd(700))
            let dan = "client-" + SMPHistory.dan.uuidString.lowercased()
            try await SMPHistory.append(
                SMPHistory.events + [(dan, .client(.touchUpBooked(booking)))], to: database.store)
            let runner = ProjectionRunner(
                store: database.store, projections: [TimelineProjection(), ForecastProjection()])
            try await runner.catchUp()
            // The schema's parameters and threshold, neither the prior's: the rows are recomputed with them.
            var settings = ForecastSettings.prior
            settings.parameters.baseRate *= 1.3
            settings.threshold = 0.5
            settings.source = "test"
            try await database.pool.withConnection { try await ForecastParameterStore.save(settings, on: $0) }
            try await runner.rebuild("forecast")
            #expect(
                try await SMPHistory.rows(
                    database,
                    """
                    SELECT status, count(*)::text, bool_and(prediction::jsonb->'curve' = '[]'::jsonb)::text,
                           (max(octet_length(prediction::text)) < 1500)::text
                    FROM forecast.forecast_clients WHERE prediction IS NOT NULL AND prediction::jsonb <> 'null'::jsonb
                    GROUP BY status ORDER BY status
                    """) == ["not-enough-data|1|true|true", "predicted|3|true|true"])

            let forecast = try #require(try await ForecastQueries(pool: database.pool).client(SMPHistory.dan))
            #expect(forecast.predictedAt == SMPHistory.date("2035-01-10"))
            let prediction = try #require(forecast.prediction)
            let expected = try FadePredictor().predict(
                subject: forecast.subject, parameters: settings.parameters, threshold: 0.5, now: forecast.predictedAt)
            #expect(expected.curve.count > 20)
            #expect(prediction.curve == expected.curve)
            #expect(prediction.threshold == 0.5)
            #expect(
                abs((forecast.dueDate ?? .distantPast).timeIntervalSince(expected.crossingDate ?? .distantFuture)) < 1)
            // What a curve sampled from other inputs would have been: none of them is the one read.
            let prior = try FadePredictor().predict(
                subject: forecast.subject, parameters: .prior, threshold: 0.5, now: forecast.predictedAt)
            let wallClock = try FadePredictor().predict(
                subject: forecast.subject, parameters: settings.parameters, threshold: 0.5, now: Date())
            let defaultThreshold = try FadePredictor().predict(
                subject: forecast.subject, parameters: settings.parameters, now: forecast.predictedAt)
            for other in [prior, wallClock, defaultThreshold] { #expect(other.curve != expected.curve) }
            // Parameters stored after the rows were made (a calibration before its rebuild): no curve drawn.
            var later = settings
            later.parameters.baseRate *= 1.5
            try await database.pool.withConnection { try await ForecastParameterStore.save(later, on: $0) }
            let stale = try await ForecastQueries(pool: database.pool).client(SMPHistory.dan)
            #expect(stale?.prediction?.curve == [])
            #expect(stale?.dueDate == forecast.dueDate)
        }
    }

    @Test("stored parameters survive a rebuild and every row is recomputed with them; calibration needs data")
    func parametersFeedRebuilds() async throws {
        try await TestDatabase.with { database in
            try await SMPHistory.append(SMPHistory.events, to: database.store)
            let runner = ProjectionRunner(store: database.store, projections: Self.projections)
            try await runner.catchUp()
            let queries = ForecastQueries(pool: database.pool)
            #expect(try await queries.settings().source == "prior")
            await #expect(throws: FadeError.self) {
                _ = try await queries.calibrate(now: SMPHistory.date("2026-06-01"))
            }
            #expect(try await queries.settings().source == "prior", "a failed calibration stores nothing")
            let before = try #require(try await queries.client(SMPHistory.dan)?.dueDate)
            var settings = ForecastSettings.prior
            settings.threshold = 0.5
            settings.source = "test"
            try await database.pool.withConnection { try await ForecastParameterStore.save(settings, on: $0) }
            try await runner.rebuild("forecast")
            #expect(try await queries.settings() == settings)
            let after = try #require(try await queries.client(SMPHistory.dan)?.dueDate)
            // Reaching 0.5 instead of 0.6 takes ln 2 / ln(1/0.6) times as long.
            let origin = SMPHistory.date("2024-03-29", 13)
            let ratio = after.timeIntervalSince(origin) / before.timeIntervalSince(origin)
            #expect(abs(ratio - log(2) / log(1 / 0.6)) < 1e-6)
            #expect(
                try await SMPHistory.rows(database, "SELECT DISTINCT threshold::text FROM forecast.forecast_clients")
                    == ["0.5"])
        }
    }
}

/// `YYYY-MM-DD` of a date in UTC.
enum TableDay {
    static func of(_ date: Date) -> String { date.formatted(.iso8601.year().month().day()) }
}
