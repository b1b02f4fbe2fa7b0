import Clinic
import EventStore
import FadeModel
import Foundation
import Testing

@testable import Projections

@Suite("The forecast's hand-written prediction JSON")
struct PredictionJSONTests {
    private static let year = 31_557_600.0

    /// A client with `sessions` treatments and `observations` fade observations, with covariates.
    private func subject(_ index: Int, using random: inout some RandomNumberGenerator) -> FadeSubject {
        let start = Date(timeIntervalSince1970: Double.random(in: 1.3e9...1.75e9, using: &random))
        let sessions = (0..<(index % 4)).map { start.addingTimeInterval(Double($0) * 40 * 86_400 + 0.25) }
        let observations = (0..<(index % 5)).map {
            FadeObservation(
                date: start.addingTimeInterval(Double($0 + 1) * 0.3 * Self.year + 123.456),
                density: Double.random(in: 0.2...1, using: &random))
        }
        let covariates = Covariates(
            uvExposure: [nil, .low, .moderate, .high][index % 4], fitzpatrick: index % 3 == 0 ? .iv : nil,
            oiliness: index % 2 == 0 ? .oily : nil, age: index % 5 == 0 ? nil : Double(20 + index % 50),
            pigmentDilution: index % 3 == 1 ? Double.random(in: 0...1, using: &random) : nil,
            scarring: index % 7 == 0 ? true : (index % 7 == 3 ? false : nil),
            sweating: index % 4 == 1 ? index % 8 == 1 : nil, swimming: index % 5 == 2 ? index % 10 == 2 : nil)
        let touchUps = index % 6 == 0 ? [start.addingTimeInterval(Self.year)] : []
        return FadeSubject(
            id: "client-\(index)", sessions: sessions, touchUps: touchUps, covariates: covariates,
            observations: observations)
    }

    /// The JSON value of `data` (key order and spacing aside), for comparing documents as `jsonb` does.
    private func value(_ data: Data) throws -> NSObject {
        try #require(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? NSObject)
    }

    @Test(
        "gives JSONEncoder's text (bar escaped slashes) for every shape of prediction without its curve, its JSON value for subjects"
    )
    func sameValueAsTheEncoder() throws {
        var random = SystemRandomNumberGenerator()
        var withCurve = 0
        var withoutCurve = 0
        var notEnoughData = 0
        var drivers = Set<Substring>()
        for index in 0..<300 {
            let subject = subject(index, using: &random)
            let now = (subject.sessions.last ?? Date(timeIntervalSince1970: 1.7e9))
                .addingTimeInterval(Double.random(in: 0...(3 * Self.year), using: &random))
            // The subject column: StateJSON's text (not the encoder's, which it falls back to).
            _ = try StateJSON.encode(subject)
            #expect(try value(ForecastFold.json(subject)) == value(ForecastFold.encoder.encode(subject)))
            // The hand-written subject: the encoder's text byte for byte (no slash to escape in it).
            #expect(
                try String(decoding: PredictionJSON.encode(subject), as: UTF8.self)
                    == String(decoding: ForecastFold.encoder.encode(subject), as: UTF8.self))
            for form in FadeForm.allCases {
                var parameters = FadeParameters.prior
                parameters.form = form
                guard let prediction = try? FadePredictor().predict(subject: subject, parameters: parameters, now: now)
                else { continue }
                if prediction.curve.isEmpty { withoutCurve += 1 } else { withCurve += 1 }
                // The row stores no curve, given one or not (its reader samples it again).
                var stored = prediction
                stored.curve = []
                let expected = try ForecastFold.encoder.encode(stored)
                let written = try PredictionJSON.encode(prediction)
                #expect(try PredictionJSON.encode(stored) == written)
                // What the reader decodes (dates to whole seconds) writes the same text again, with no curve.
                let read = try ForecastQueries.decoder.decode(FadePrediction.self, from: written)
                #expect(read.curve.isEmpty)
                #expect(try PredictionJSON.encode(read) == written)
                #expect(
                    try value(written) == value(expected),
                    "\(String(decoding: written, as: UTF8.self))\n!=\n\(String(decoding: expected, as: UTF8.self))")
                // Byte for byte the encoder's text, but for the `\/` it writes for a slash.
                #expect(
                    String(decoding: written, as: UTF8.self)
                        == String(decoding: expected, as: UTF8.self).replacingOccurrences(of: #"\/"#, with: "/"))
                if case .notEnoughData = prediction.status { notEnoughData += 1 }
                drivers.formUnion(prediction.drivers.map { "\($0.source)".prefix(9) })
            }
        }
        #expect(withCurve > 100)
        #expect(withoutCurve > 0)
        #expect(notEnoughData > 0)
        // Drivers of both kinds: a covariate's and the client's own observations.
        #expect(drivers == ["covariate", "ownObserv"])
    }

    @Test("JSONBytes writes numbers and dates as JSONEncoder does, 0 and 1, fractional and far-off dates included")
    func numbersAndDates() throws {
        var random = SystemRandomNumberGenerator()
        var numbers: [Double] = [
            0, -0.0, 1, -1, 0.1, 1e-7, 1e16, 1e17, 123_456_789_012_345_680, .leastNonzeroMagnitude, 2.5e-8,
        ]
        var dates = [0, -0.5, 0.999_999, -86_400, -86_400.5, 1.7e9 + 0.999, -1.3e10, 2.6e11, -6.3e10].map {
            Date(timeIntervalSince1970: $0)
        }
        for _ in 0..<5000 {
            numbers.append(Double.random(in: -2...2, using: &random))
            let bits = Double(bitPattern: random.next())
            if bits.isFinite { numbers.append(bits) }
            dates.append(Date(timeIntervalSince1970: Double.random(in: -1.2e10...2.6e11, using: &random)))
        }
        for number in numbers {
            var text = JSONBytes(capacity: 32)
            text.number(number)
            #expect(
                "[\(String(decoding: text.bytes, as: UTF8.self))]"
                    == String(decoding: try ForecastFold.encoder.encode([number]), as: UTF8.self))
        }
        for date in dates {
            var text = JSONBytes(capacity: 32)
            text.date(date)
            #expect(
                "[\(String(decoding: text.bytes, as: UTF8.self))]"
                    == String(decoding: try ForecastFold.encoder.encode([date]), as: UTF8.self))
        }
    }
}

@Suite("Folding in memory as a rebuild does")
struct InMemoryRebuildTests {
    /// The first `count` events of a seeded clinic history, as the store would return them.
    static func history(_ count: Int) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var versions: [String: Int] = [:]
        for pending in ClinicHistory(HistoryConfiguration(seed: 3, clientCount: 40)) {
            guard events.count < count else { break }
            let (type, schemaVersion, data) = try pending.event.encoded()
            let stream = try EventStreamName(pending.stream.rawValue)
            let version = versions[stream.rawValue, default: 0]
            versions[stream.rawValue] = version + 1
            events.append(
                RecordedEvent(
                    position: Int64(events.count + 1), stream: stream, version: version, id: UUID(), type: type,
                    schemaVersion: schemaVersion, data: data, metadataJSON: Data("{}".utf8),
                    recordedAt: Date(timeIntervalSince1970: 1.7e9 + Double(events.count))))
        }
        return events
    }

    @Test("pages folded with one finish at the end give the forecast rows and states of one big batch")
    func pagesEqualOneBatch() throws {
        let events = try Self.history(1500)
        let fold = ForecastFold()
        var whole: [String: ForecastFold.State] = [:]
        let expected = try fold.foldInMemory(ProjectionBatch(events: events), states: &whole)
            .rows(for: "forecast_clients")
        var rebuild = InMemoryRebuild(fold)
        for start in stride(from: 0, to: events.count, by: 100) {
            let page = ProjectionBatch(events: Array(events[start..<min(events.count, start + 100)]))
            #expect(try rebuild.apply(page)["forecast_clients"] == nil)
        }
        let finished = try rebuild.finish()["forecast_clients"] ?? []
        #expect(!expected.isEmpty)
        // One row per client either way (the order of `finish` differs: first seen vs. last event).
        #expect(finished.count == expected.count)
        #expect(Set(finished) == Set(expected))
        #expect(Set(rebuild.states.keys) == Set(whole.keys))
        #expect(try rebuild.finish().isEmpty)
    }

    @Test("a fold writing only rows of a client's state writes none per page and each client's once at the end")
    func rowsPerPage() throws {
        let events = try Self.history(600)
        let timeline = TimelineProjection()
        var states: [String: TimelineProjection.State] = [:]
        var rebuild = InMemoryRebuild(timeline)
        var latestClientRows: [String: Row] = [:]
        for start in stride(from: 0, to: events.count, by: 200) {
            let batch = ProjectionBatch(events: Array(events[start..<min(events.count, start + 200)]))
            let expected = try timeline.foldInMemory(batch, states: &states)
            let rows = try rebuild.apply(batch)
            // `timeline_clients` depends on the state alone: `finish` writes it, live once per batch (and the
            // timeline writes nothing else: its entries are folded when read).
            #expect(!expected.rows(for: "timeline_clients").isEmpty)
            #expect(rows.isEmpty)
            for row in expected.rows(for: "timeline_clients") {
                latestClientRows[String(describing: row["client_id"])] = row
            }
        }
        let finished = try rebuild.finish()
        #expect(!latestClientRows.isEmpty)
        #expect(finished["timeline_clients"]?.count == latestClientRows.count)
        #expect(Set(finished["timeline_clients"] ?? []) == Set(latestClientRows.values))
        #expect(Set(finished.keys) == ["timeline_clients"])
        #expect(try rebuild.finish().isEmpty)
    }
}
