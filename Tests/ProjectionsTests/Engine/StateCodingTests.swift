import Clinic
import EventStore
import Foundation
import Testing

@testable import Projections

@Suite("Fold states written and read back on the fast paths")
struct StateCodingTests {
    /// Folds a generated history with `projection` and checks every state: what `StoredEventJSON` reads
    /// from the state's stored JSON (as `jsonb` printed it, before states were `json` text: a database upgraded
    /// from then reads such states until its rebuild) is what `JSONDecoder` reads. Returns the count.
    private func check<P: FoldingProjection>(_ projection: P, _ events: [RecordedEvent]) throws -> Int {
        var rebuild = InMemoryRebuild(projection)
        _ = try rebuild.apply(ProjectionBatch(events: events))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        // As `jsonb` prints it: no escaped slashes (`America/New_York`).
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for state in rebuild.states.values {
            let stored = try encoder.encode(state)
            let spaced = Data(
                String(decoding: stored, as: UTF8.self).replacingOccurrences(of: ",\"", with: ", \"").utf8)
            let fast = try StoredEventJSON.decode(P.State.self, from: spaced)
            #expect(try encoder.encode(fast) == encoder.encode(decoder.decode(P.State.self, from: spaced)))
            #expect(try encoder.encode(fast) == stored)
            // What the fast writer writes reads back as the state, through either decoder.
            let written = try StateJSON.encode(state)
            #expect(try encoder.encode(decoder.decode(P.State.self, from: written)) == stored)
            #expect(try encoder.encode(StoredEventJSON.decode(P.State.self, from: written)) == stored)
        }
        return rebuild.states.count
    }

    @Test(
        "every clinic projection's states: StateJSON writes and StoredEventJSON reads what JSONEncoder and JSONDecoder do"
    )
    func everyProjectionsStates() throws {
        let events = try InMemoryRebuildTests.history(3000)
        #expect(try check(TimelineProjection(), events) > 10)
        #expect(try check(RevenueProjection(), events) > 10)
        #expect(try check(TraceabilityProjection(), events) > 10)
        #expect(try check(ScheduleProjection(), events) > 10)
        #expect(try check(ForecastFold(), events) > 10)
        #expect(try check(PortfolioProjection(), events) > 10)
        #expect(try check(AftercareProjection(), events) > 10)
    }
}

@Suite("The fold state writer's edges")
struct StateJSONEdgeTests {
    private struct Odd: Codable, Equatable {
        var text = "quote \" backslash \\ newline \n tab \t bell \u{07} é 😀"
        var numbers: [Double] = [0, -0.0, 1, 0.1, 1e300, -2.5e-8]
        var small: Float = 0.1
        var ints: [Int64] = [0, -1, .max, .min]
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1.7e9 + 0.75)]
        var nested: [String: [String: Int]] = ["a": ["b": 1], "c": [:]]
        var keyedValues: [String: [Date?]] = ["quote \" é": [Date(timeIntervalSince1970: 60), nil], "": []]
        var byNumber: [Int: String] = [3: "three", -1: "minus one"]
        var maybe: String? = nil
        var maybeNot: String? = "x"
        var empty: [Int] = []
        var choice = Choice.pair(1, "b")

        enum Choice: Codable, Equatable {
            case none
            case pair(Int, String)
        }
    }

    @Test("escapes, numbers, dates, nested and keyed-by-number containers, optionals and enums read back as written")
    func oddValuesRoundTrip() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let value = Odd()
        let expected = try decoder.decode(Odd.self, from: encoder.encode(value))
        #expect(try decoder.decode(Odd.self, from: StateJSON.encode(value)) == expected)
        // String-keyed dictionaries are written member by member: the same object as JSONEncoder writes.
        let sorted = JSONEncoder()
        sorted.dateEncodingStrategy = .iso8601
        sorted.outputFormatting = [.sortedKeys]
        for dictionary in [value.nested, ["b": ["z": 2, "a": 1]], [:]] {
            let written = try JSONSerialization.jsonObject(with: StateJSON.encode(dictionary)) as? NSDictionary
            let expected = try JSONSerialization.jsonObject(with: sorted.encode(dictionary)) as? NSDictionary
            #expect(written != nil && written == expected)
        }
    }

    @Test("Data, URL, Decimal and non-finite numbers are left to JSONEncoder")
    func unsupported() {
        #expect(throws: StateJSON.Unsupported.self) { try StateJSON.encode(["a": Data([1])]) }
        #expect(throws: StateJSON.Unsupported.self) { try StateJSON.encode(["a": Decimal(1)]) }
        #expect(throws: StateJSON.Unsupported.self) { try StateJSON.encode([Double.nan]) }
    }
}
