import Foundation
import Testing

@testable import Clinic

@Suite("Decoding stored events on the fast path")
struct StoredEventJSONTests {
    /// The JSON as PostgreSQL prints `jsonb`: a space after every `:` and `,` outside strings.
    private func jsonbText(_ data: Data) -> Data {
        var out: [UInt8] = []
        var inString = false
        var escaped = false
        for byte in data {
            out.append(byte)
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ":") || byte == UInt8(ascii: ",") {
                out.append(UInt8(ascii: " "))
            }
        }
        return Data(out)
    }

    private func fast(_ event: ClinicEvent, _ data: Data) throws -> ClinicEvent {
        let decoder = try #require(ClinicEvent.decodersByType[event.typeName])
        return try decoder.decodeFast(data)
    }

    @Test("every event type, and every event of a generated history, decodes on the fast path to what it was")
    func fastPathGivesTheEvent() throws {
        let history = ClinicHistory(HistoryConfiguration(seed: 42, clientCount: 25)).map(\.event)
        #expect(history.count > 500)
        for event in SampleEvents.all + history {
            let encoded = try event.encoded()
            #expect(try fast(event, encoded.data) == event, "\(event.typeName)")
            #expect(try fast(event, jsonbText(encoded.data)) == event, "\(event.typeName) as jsonb text")
            #expect(
                try ClinicEvent.decode(type: encoded.type, schemaVersion: encoded.schemaVersion, data: encoded.data)
                    == event)
        }
    }

    @Test("an escaped string decodes on the fast path as JSONDecoder decodes it")
    func escapedStrings() throws {
        let escaped = Data(
            #"{"at":"2024-01-10T09:00:00Z","personal":{"erased":true},"referralSource":"a \"web\" ad \u00e9\ud83d\ude00"}"#
                .utf8)
        let registered = try ClinicEvent.decode(type: "client.registered", schemaVersion: 2, data: escaped)
        #expect(try fast(registered, escaped) == registered)
        guard case .client(.registered(let event)) = registered else {
            Issue.record("not a registration: \(registered)")
            return
        }
        #expect(event.referralSource == "a \"web\" ad \u{e9}\u{1F600}")
    }

    @Test("a lone surrogate, a cut document, another date form or a missing key leave the fast path to JSONDecoder")
    func outsideTheFastPath() throws {
        let escaped = Data(
            #"{"at":"2024-01-10T09:00:00Z","personal":{"erased":true},"referralSource":"a \"web\" ad"}"#.utf8)
        let registered = try ClinicEvent.decode(type: "client.registered", schemaVersion: 2, data: escaped)
        let loneSurrogate = Data(
            #"{"at":"2024-01-10T09:00:00Z","personal":{"erased":true},"referralSource":"a \ud83d ad"}"#.utf8)
        #expect(throws: (any Error).self) { try fast(registered, loneSurrogate) }
        guard case .client(.registered(let event)) = registered else {
            Issue.record("not a registration: \(registered)")
            return
        }
        #expect(event.referralSource == #"a "web" ad"#)
        #expect(event.personal.isErased)
        let erased = Data(
            #"{"at": "2024-01-10T09:00:00Z", "personal": {"erased": true}, "referralSource": "web"}"#.utf8)
        #expect(
            try fast(registered, erased)
                == ClinicEvent.decode(type: "client.registered", schemaVersion: 2, data: erased))
        for bad in [
            #"{"at":"2024-01-10T09:00:00Z","personal":{"erased":true},"referralSource":"web""#,
            #"{"at":"2024-01-10 09:00","personal":{"erased":true}}"#,
            #"{"personal":{"erased":true}}"#,
        ] {
            #expect(throws: (any Error).self) { try fast(registered, Data(bad.utf8)) }
            #expect(throws: (any Error).self) {
                try ClinicEvent.decode(type: "client.registered", schemaVersion: 2, data: Data(bad.utf8))
            }
        }
    }

    @Test(
        "an id decodes on the fast path in either case; any other form decodes as JSONDecoder decodes it, or not at all"
    )
    func ids() throws {
        let id = UUID()
        var sscanfForm = Array(id.uuidString.utf8)
        sscanfForm[0] = UInt8(ascii: "-")  // `UUID(uuidString:)` (sscanf) reads "-X" as a hex byte
        let texts = [
            id.uuidString, id.uuidString.lowercased(),
            String(id.uuidString.enumerated().map { $0 % 2 == 0 ? $1 : Character($1.lowercased()) }),
            String(decoding: sscanfForm, as: UTF8.self), String(id.uuidString.dropLast()), id.uuidString + "0",
            id.uuidString.replacingOccurrences(of: "-", with: "_"), "not an id", "",
        ]
        var fastOnes = 0
        for text in texts {
            let data = Data(#"{"at":"2024-01-10T09:00:00Z","depositID":"\#(text)"}"#.utf8)
            let expected = (try? ClinicJSON.sharedDecoder.decode(DepositApplied.self, from: data)).map {
                ClinicEvent.client(.depositApplied($0))
            }
            let decoded = try? ClinicEvent.decode(type: DepositApplied.typeName, schemaVersion: 1, data: data)
            #expect(decoded == expected, "\(text)")
            if let expected, let fast = try? fast(expected, data) {
                #expect(fast == expected, "\(text)")
                fastOnes += 1
            }
        }
        // Upper, lower and mixed case take the fast path.
        #expect(fastOnes >= 3)
        #expect(
            try fast(
                .client(.depositApplied(DepositApplied(at: Date(timeIntervalSince1970: 0), depositID: id))),
                Data(#"{"at":"1970-01-01T00:00:00Z","depositID":"\#(id.uuidString.lowercased())"}"#.utf8))
                == .client(.depositApplied(DepositApplied(at: Date(timeIntervalSince1970: 0), depositID: id))))
    }

}
