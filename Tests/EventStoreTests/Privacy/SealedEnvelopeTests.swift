import Foundation
import Testing

@testable import EventStore

@Suite("sealed envelope bodies read through JSONDocument, without JSONDecoder")
struct SealedEnvelopeBodyTests {
    private static let key = "909C408A-7373-4A36-B589-75F73903ED04"

    private func viaDecoder(_ json: String) throws -> SealedEnvelope.Body {
        try JSONDecoder().decode(SealedEnvelope.Body.self, from: Data(json.utf8))
    }

    @Test("the stored form, in any member order and spacing, reads as JSONDecoder reads it")
    func storedForms() throws {
        let forms = [
            // jsonb's rendering of what `seal` writes, as `data::text` returns it.
            #"{"c": "B2m8EJ6oKeGX+/csnhf2mWtVgd13IhQcw/pO2SkWYugrTIdZ6BBXrG8F0==", "k": "\#(Self.key)", "n": "oT0Xkis26RaPO4ZF", "v": 1}"#,
            #"{"v":1,"n":"oT0Xkis26RaPO4ZF","k":"\#(Self.key.lowercased())","c":"AAAA"}"#,
            " {\n\t\"k\" : \"\(Self.key)\" ,\"c\":\"\", \"v\" :1 , \"n\":\"x\"}\r\n",
            #"{"c": "a\/b\u00e9\ud83d\ude00", "k": "\#(Self.key)", "n": "n", "v": 1}"#,  // escapes
            #"{"c": "é", "k": "\#(Self.key)", "n": "n", "v": 1}"#,  // not ASCII
        ]
        for form in forms {
            let fast = try #require(SealedEnvelope.Body(stored: ArraySlice(Array(form.utf8))), "\(form)")
            let decoded = try viaDecoder(form)
            #expect(fast.v == decoded.v && fast.k == decoded.k && fast.n == decoded.n && fast.c == decoded.c)
        }
    }

    @Test("anything else is left to JSONDecoder (nil), including forms JSONDecoder accepts")
    func otherForms() throws {
        let others = [
            #"{"c": "a", "k": "\#(Self.key)", "n": "n", "v": 2}"#,  // another version
            #"{"c": "a", "k": "\#(Self.key)", "n": "n", "v": 10}"#,
            #"{"c": "a", "k": "\#(Self.key)", "n": "n", "v": 1.0}"#,
            #"{"c": "a", "k": "\#(Self.key)", "n": "n", "v": 1, "x": 0}"#,  // an unknown member
            #"{"c": "a", "k": "\#(Self.key)", "n": "n"}"#,  // a member missing
            #"{"c": "a", "c": "b", "k": "\#(Self.key)", "n": "n", "v": 1}"#,  // a member twice
            #"{"c": "a", "k": "not-a-uuid", "n": "n", "v": 1}"#,
            #"{"c": "a\ud83d", "k": "\#(Self.key)", "n": "n", "v": 1}"#,  // a lone surrogate
            #"{"c": "a", "k": "\#(Self.key)", "n": "n", "v": 1} x"#,  // trailing text
            #"{"c": "a", "k": "\#(Self.key)", "n": "n", "v": 1"#,  // cut short
            #"["c"]"#, "",
        ]
        for other in others {
            #expect(SealedEnvelope.Body(stored: ArraySlice(Array(other.utf8))) == nil, "\(other)")
        }
        // One of them is valid to JSONDecoder: the vault still opens that through it.
        #expect(try viaDecoder(others[0]).v == 2)
    }
}
