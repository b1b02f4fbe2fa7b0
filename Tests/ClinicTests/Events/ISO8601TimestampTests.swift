import Foundation
import Testing

@testable import Clinic

@Suite("Stored event dates decode as JSONDecoder's .iso8601 decodes them")
struct ISO8601TimestampTests {
    private struct Box: Decodable { let at: Date }
    /// A decoding error, by its description.
    private struct Refusal: Error, Equatable { let text: String }

    /// The strategy the clinic's decoder replaced: the reference for meaning and errors.
    private static let reference: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Both decoders' answers for one JSON value of `at`: the date, or the error's description.
    private func both(_ json: String) -> (clinic: Result<Date, Refusal>, reference: Result<Date, Refusal>) {
        let data = Data(#"{"at":\#(json)}"#.utf8)
        func run(_ decoder: JSONDecoder) -> Result<Date, Refusal> {
            do { return .success(try decoder.decode(Box.self, from: data).at) } catch {
                return .failure(Refusal(text: String(describing: error)))
            }
        }
        return (run(ClinicJSON.makeDecoder()), run(Self.reference))
    }

    @Test(
        "the form the encoder writes decodes to the same instant, through the fast path",
        arguments: [
            ("2026-03-01T10:00:00Z", 1_772_359_200.0), ("1970-01-01T00:00:00Z", 0), ("1969-12-31T23:59:59Z", -1),
            ("2024-02-29T23:59:59Z", 1_709_251_199), ("2000-12-31T12:00:00Z", 978_264_000),
            ("1600-01-01T00:00:00Z", -11_676_096_000), ("9999-12-31T23:59:59Z", 253_402_300_799),
        ])
    func canonical(_ text: String, _ seconds: Double) throws {
        let answers = both("\"\(text)\"")
        #expect(try answers.clinic.get() == Date(timeIntervalSince1970: seconds))
        #expect(try answers.reference.get() == Date(timeIntervalSince1970: seconds))
        let fast = Array(text.utf8).withUnsafeBufferPointer(ISO8601Timestamp.parseCanonical)
        #expect(fast == Date(timeIntervalSince1970: seconds))
    }

    @Test(
        "other accepted forms keep their meaning: fractional seconds, offsets, lenient fields",
        arguments: [
            "2026-03-01T10:00:00.5Z", "2026-03-01T10:00:00.123456Z", "2026-03-01T10:00:00+02:00",
            "2026-03-01T10:00:00+0200", "2026-03-01T10:00:00-05:30", "2026-03-01T10:00:00+02",
            "2026-03-01T10:00:00GMT", "2026-02-30T10:00:00Z", "2026-04-31T00:00:00Z", "2023-02-29T00:00:00Z",
            "2026-03-01T24:00:00Z", "2026-03-01T23:59:60Z", "2026-3-01T10:00:00Z", "0000-01-01T00:00:00Z",
            "1500-06-01T00:00:00Z", "1582-10-10T00:00:00Z",
        ])
    func otherAcceptedForms(_ text: String) throws {
        let answers = both("\"\(text)\"")
        let expected = try answers.reference.get()
        #expect(try answers.clinic.get() == expected)
    }

    @Test(
        "what .iso8601 refuses is refused with the same error",
        arguments: [
            "\"2026-03-01 10:00:00Z\"", "\"2026-03-01T10:00:00\"", "\"2026-03-01\"", "\"2026-13-01T10:00:00Z\"",
            "\"2026-03-01t10:00:00z\"", "\"20260301T100000Z\"", "\"2026-03-01T10:00Z\"", "\"+2026-03-01T10:00:00Z\"",
            "\"2026-03-01T10:00:00.Z\"", "\"2026-03-01T10:00:00 Z\"", "\" 2026-03-01T10:00:00Z\"", "\"\"",
            "\"2026-03-01T1a:00:00Z\"", "\"２０２６-03-01T10:00:00Z\"", "42", "null", "true", "{}",
        ])
    func refusals(_ json: String) {
        let answers = both(json)
        guard case .failure(let expected) = answers.reference else {
            Issue.record("the reference accepted \(json): \(answers.reference)")
            return
        }
        #expect(answers.clinic == .failure(expected))
        #expect(expected.text.contains("DecodingError"))
    }

    @Test("a missing date is reported as before")
    func missingDate() throws {
        let data = Data("{}".utf8)
        var clinicError = ""
        var referenceError = ""
        do { _ = try ClinicJSON.makeDecoder().decode(Box.self, from: data) } catch { clinicError = "\(error)" }
        do { _ = try Self.reference.decode(Box.self, from: data) } catch { referenceError = "\(error)" }
        #expect(!referenceError.isEmpty)
        #expect(clinicError == referenceError)
    }

    @Test("every second the encoder writes, over four centuries, reads back the same through both decoders")
    func roundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        let encoder = ClinicJSON.makeEncoder()
        struct Out: Encodable { let at: Date }
        for _ in 0..<2000 {
            // 1600-01-01 … 9999-12-31, whole seconds (what `.iso8601` writes).
            let seconds = Double(Int64.random(in: -11_676_096_000...253_402_300_799, using: &generator))
            let date = Date(timeIntervalSince1970: seconds)
            let json = try encoder.encode(Out(at: date))
            let clinic = try ClinicJSON.makeDecoder().decode(Box.self, from: json).at
            let reference = try Self.reference.decode(Box.self, from: json).at
            #expect(clinic == date, "\(String(decoding: json, as: UTF8.self))")
            #expect(reference == date)
        }
    }
}
