import Clinic
import EventStore
import Foundation
import Testing

@testable import Projections

@Suite("The timeline's sentences written without Foundation's formatting")
struct TimelineTextTests {
    @Test("the fold, which builds no sentences, leaves every client's state as the reader's fold with sentences does")
    func foldWithoutSentencesKeepsTheState() throws {
        let events = try InMemoryRebuildTests.history(3000)
        var rebuild = InMemoryRebuild(TimelineProjection())
        _ = try rebuild.apply(ProjectionBatch(events: events))
        var described: [String: TimelineProjection.State] = [:]
        var sentences = 0
        for item in ProjectionBatch(events: events).items {
            guard case .success(.client(let event)) = item.decoded,
                let key = TimelineProjection().stateKey(for: item.recorded.stream)
            else { continue }
            var state = described[key] ?? TimelineProjection.State(clientID: key)
            let at = try item.clinicEvent(for: "timeline").at
            if let entry = TimelineProjection.advance(&state, event, at: at, position: item.recorded.position) {
                #expect(!entry.summary.isEmpty)
                sentences += 1
            }
            described[key] = state
        }
        #expect(sentences > 1000)
        #expect(described.count == rebuild.states.count)
        #expect(described.values.contains { $0.currency != nil })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (key, state) in rebuild.states {
            let reader = try #require(described[key])
            #expect(try encoder.encode(state) == encoder.encode(reader), "\(key)")
        }
    }

    @Test("a photo's size is the text String(format: \"%.1f MB\") writes, halfway sizes and large ones included")
    func megabytesMatchTheFormatter() {
        var random = SystemRandomNumberGenerator()
        var sizes = [0, 1, 49_999, 50_000, 50_001, 99_999, 100_000, 149_999, 150_000, 250_000, 350_000, 1_050_000]
        sizes += [1_250_000, 9_949_999, 9_950_000, 9_999_999, 999_950_000, 12_345_678_901, 1 << 52, (1 << 52) + 1]
        for _ in 0..<20_000 {
            sizes.append(Int.random(in: 0...30_000_000, using: &random))
            sizes.append(Int.random(in: 0...300, using: &random) * 50_000)
        }
        for size in sizes {
            let expected = String(format: "%.1f MB", Double(size) / 1_000_000)
            #expect(TimelineProjection.megabytes(size) == expected, "\(size)")
        }
        #expect(TimelineProjection.megabytes(2_449_999) == "2.4 MB")
        #expect(TimelineProjection.megabytes(9_960_000) == "10.0 MB")
    }

    @Test("an enum's words are its wire name with each hyphen a space, as replacingOccurrences wrote them")
    func wordsMatchReplacingOccurrences() {
        func check<Value: RawRepresentable & CaseIterable>(_ type: Value.Type) -> Int where Value.RawValue == String {
            for value in Value.allCases {
                let expected =
                    value.rawValue == "widows-peak"
                    ? "widow's peak" : value.rawValue.replacingOccurrences(of: "-", with: " ")
                #expect(TimelineProjection.words(value) == expected)
                #expect(TimelineProjection.label(value) == value.rawValue)
            }
            return Value.allCases.count
        }
        #expect(check(PaymentMethod.self) > 1)
        #expect(check(PhotoAngle.self) > 1)
        #expect(check(HairlineShape.self) > 1)
        #expect(check(DeliveryChannel.self) > 1)
        #expect(check(ScalpOiliness.self) > 1)
        #expect(check(ComplaintTopic.self) > 1)
        #expect(check(CorrectionMethod.self) > 1)
        #expect(TimelineProjection.words(HairlineShape.widowsPeak) == "widow's peak")
    }
}
