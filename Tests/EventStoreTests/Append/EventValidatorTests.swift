import Foundation
import Testing

@testable import EventStore

/// The validator's quick look for a NUL before it walks the parsed data (pure, no database).
@Suite("Event validation: the NUL pre-check")
struct EventValidatorTests {
    @Test(
        "finds every NUL escape and raw NUL byte, and passes text without one",
        arguments: [
            (#"{"a": "plain"}"#, false),
            (#"{"a": "x\u0000y"}"#, true),
            (#"{"a": "x\U0000y"}"#, true),
            (#"{"a": "\n\t\"\u0000"}"#, true),
            (#"{"a": "\\\u0000"}"#, true),
            (#"{"a": "\\u0000"}"#, false),
            (#"{"a": "\u0001\u00001"}"#, true),
            (#"{"a": "\u000"}"#, false),
            ("{\"a\": \"\0\"}", true),
            ("", false),
        ])
    func preCheck(text: String, expected: Bool) {
        #expect(EventValidator.mayContainNUL(Data(text.utf8)) == expected)
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
