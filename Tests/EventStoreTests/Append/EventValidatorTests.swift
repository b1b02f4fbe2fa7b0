import Foundation
import Testing

@testable import EventStore

/// The validator's check of an event's data (pure, no database).
@Suite("Event validation: the data")
struct EventValidatorTests {
    static let nul = "contains a NUL character (\\u0000), which PostgreSQL jsonb cannot store"

    @Test(
        "every NUL escape is refused, escaped backslashes and other escapes are text; JSON, objects and UTF-8 only",
        arguments: [
            (#"{"a": "plain"}"#, nil),
            (#"{"a": "x\u0000y"}"#, nul),
            (#"{"a": "x\U0000y"}"#, "not valid JSON"),
            (#"{"a": "\n\t\"\u0000"}"#, nul),
            (#"{"a": "\\\u0000"}"#, nul),
            (#"{"a": "\\u0000"}"#, nil),
            (#"{"a": "\u0001\u00001"}"#, nul),
            (#"{"a\u0000": 1}"#, nul),
            (#"{"a": "\u000"}"#, "not valid JSON"),
            (#"{"a": "\ud800"}"#, "not valid JSON"),
            (#"{"a": "\ud83d\ude00 \u00e9"}"#, nil),
            ("{\"a\": \"\0\"}", "not valid JSON"),
            ("", "not valid JSON"),
            ("[1]", "not a JSON object"),
            (#"{"a": [1, {"b": null}], "c": -1.5e3}"#, nil),
            (#"{"a": 1,}"#, "not valid JSON"),
        ] as [(String, String?)])
    func data(text: String, expected: String?) {
        #expect(EventValidator.dataProblem(Data(text.utf8)) == expected)
    }

    @Test("bytes that are not UTF-8 are refused as such; nesting is bounded where the vault's reading is")
    func utf8AndDepth() {
        #expect(EventValidator.dataProblem(Data([0x7B, 0xFF, 0x7D])) == "not valid UTF-8")
        // Inside a string: an overlong NUL, a UTF-16 surrogate written as UTF-8, a cut-off sequence.
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            let data = Data(#"{"a": ""#.utf8) + Data(bad) + Data(#""}"#.utf8)
            #expect(EventValidator.dataProblem(data) == "not valid UTF-8", "\(bad)")
        }
        #expect(EventValidator.dataProblem(Data(#"{"a": "é € 🧑‍🎨"}"#.utf8)) == nil)
        let depth = JSONMemberScanner.maximumDepth
        let deep =
            "{\"a\": " + String(repeating: "[", count: depth - 2) + String(repeating: "]", count: depth - 2) + "}"
        #expect(EventValidator.dataProblem(Data(deep.utf8)) == nil)
        let deeper = "{\"a\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        #expect(EventValidator.dataProblem(Data(deeper.utf8)) == "not valid JSON")
    }

    @Test("an escaped backslash before u0000 is text, not a NUL: accepted; a real \\u0000 is refused")
    func escapedBackslash() throws {
        let validator = EventValidator(limits: EventStore.Limits())
        try validator.validate(NewEvent(type: "ok", json: #"{"a": "\\u0000"}"#))
        #expect(throws: EventStoreError.self) {
            try validator.validate(NewEvent(type: "ok", json: #"{"a": "\\\u0000"}"#))
        }
    }
}
