import Foundation
import Testing

@testable import Projections

@Suite("Dates as the rows' ISO-8601 text")
struct ISO8601TextTests {
    /// What `RowValue.iso8601` wrote before it was written by hand.
    private func formatted(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    @Test("a row's date is the formatter's text, whole seconds or not, in and outside the years written by hand")
    func millisecondsMatchTheFormatter() {
        var random = SystemRandomNumberGenerator()
        var dates = [0, -1, 1, -86_400, 86_399, 951_782_400, 1.7e9, -1.1676096e10, 2.53402300799e11, -1.3e10, 2.6e11]
            .map { Date(timeIntervalSince1970: $0) }
        dates += [0.5, -0.25, 1.7e9 + 0.123, -86_400.5].map { Date(timeIntervalSince1970: $0) }
        for _ in 0..<5000 {
            dates.append(
                Date(timeIntervalSince1970: Double(Int.random(in: -12_000_000_000...260_000_000_000, using: &random))))
            dates.append(Date(timeIntervalSince1970: Double.random(in: -1.2e10...2.6e11, using: &random)))
        }
        for date in dates {
            #expect(ISO8601Text.milliseconds(date) == formatted(date), "\(date.timeIntervalSince1970)")
        }
        #expect(ISO8601Text.milliseconds(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20.000Z")
    }

    @Test("a timeline sentence's time is the formatter's text, fractional, negative and far-off dates included")
    func secondsWithoutZoneMatchTheFormatter() {
        var random = SystemRandomNumberGenerator()
        var dates = [0, -1, 1, -0.5, 0.999, -86_400, -86_400.5, 86_399, 951_782_400, 1.7e9 + 0.75, -1.1676096e10]
            .map { Date(timeIntervalSince1970: $0) }
        dates += [-1.1676096001e10, 2.53402300799e11, 2.534023008e11, -1.3e10, 2.6e11].map {
            Date(timeIntervalSince1970: $0)
        }
        for _ in 0..<5000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -1.2e10...2.6e11, using: &random)))
            dates.append(
                Date(timeIntervalSince1970: Double(Int.random(in: 1_000_000_000...2_000_000_000, using: &random))))
        }
        for date in dates {
            let expected = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
            #expect(ISO8601Text.secondsWithoutZone(date) == expected, "\(date.timeIntervalSince1970)")
        }
        #expect(ISO8601Text.secondsWithoutZone(Date(timeIntervalSince1970: 1_700_000_123.9)) == "2023-11-14T22:15:23")
    }

    @Test("a UUID's text through Hex is Foundation's, upper and lower case")
    func uuidText() {
        for _ in 0..<2000 {
            let uuid = UUID()
            #expect(uuid.upperText == uuid.uuidString)
            #expect(uuid.lowerText == uuid.uuidString.lowercased())
        }
        let fixed = UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff))
        #expect(fixed.lowerText == "00010203-0405-0607-0809-0a0b0c0d0eff")
    }
}
