import Foundation
import Crypto
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

    @Test("the marker search finds the bytes anywhere, and only where they are")
    func markerSearch() {
        let marker = SealedEnvelope.markerBytes
        #expect(Data(#"{"$sealed": {}}"#.utf8).containsBytes(marker))
        #expect(Data(#"{"a": 1, "b": {"$sealed"#.utf8).containsBytes(marker) == false)
        #expect(Data(#"{"a": 1, "b": {"$sealed""#.utf8).containsBytes(marker))
        #expect(Data(#"{"a": "$seale", "$sealed": 1}"#.utf8).dropFirst(9).containsBytes(marker))
        #expect(!Data(#"{"a": "$seale"d"}"#.utf8).containsBytes(marker))
        #expect(!Data().containsBytes(marker))
        #expect(!Data("x".utf8).containsBytes([]))
    }

    @Test("the marker search agrees with a byte-by-byte search on random text around whole and damaged needles")
    func markerSearchAgreesWithNaiveSearch() {
        var generator = SystemRandomNumberGenerator()
        for needle in [SealedEnvelope.markerBytes, Array("$".utf8), Array(#""personal""#.utf8)] {
            let alphabet = Array(Set(needle + Array(#""x{"#.utf8)))
            var hits = 0
            var misses = 0
            for _ in 0..<3000 {
                var bytes = (0..<Int.random(in: 0...30, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator) ?? 0
                }
                var inserted = needle
                if Bool.random(using: &generator) {
                    // A needle with one byte changed (or cut short) must not count.
                    let index = Int.random(in: 0..<inserted.count, using: &generator)
                    if Bool.random(using: &generator) {
                        inserted[index] = UInt8(ascii: "x")
                    } else {
                        inserted.removeLast(inserted.count - index)
                    }
                }
                bytes.insert(contentsOf: inserted, at: Int.random(in: 0...bytes.count, using: &generator))
                let naive =
                    bytes.count >= needle.count
                    && (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<($0 + needle.count)]) == needle }
                #expect(Data(bytes).containsBytes(needle) == naive, "\(bytes)")
                if naive { hits += 1 } else { misses += 1 }
            }
            #expect(hits > 1000 && misses > 100)
        }
    }
}

@Suite("a subject's derived keys")
struct SubjectKeyTests {
    @Test("one extraction gives the keys HKDF.deriveKey gives for each purpose, which sealed values were made with")
    func sameKeysAsDeriveKey() throws {
        for seed in [UInt8(0), 7, 255] {
            let raw = SymmetricKey(
                data: [UInt8](repeating: seed, count: 32).enumerated().map { $0.element &+ UInt8($0.offset) })
            let key = SubjectKey(id: UUID(), subject: "client-x", raw: raw)
            let encryption = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: raw, info: Data("stipple.personal.encryption.v1".utf8), outputByteCount: 32)
            let nonce = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: raw, info: Data("stipple.personal.nonce.v1".utf8), outputByteCount: 32)
            #expect(key.encryptionKey == encryption)
            #expect(key.nonceKey == nonce)
            #expect(key.encryptionKey != key.nonceKey)
        }
    }
}
