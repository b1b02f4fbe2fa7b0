import Foundation
import JSONNodes
import Testing

@Suite("Scanning JSON into nodes")
struct JSONDocumentTests {
    private func scan<T>(_ text: String, _ body: (JSONDocument) throws -> T) throws -> T {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { try body(try JSONDocument(scanning: $0)) }
    }

    @Test("an object's members, nested values skipped in one step, and each value's bytes")
    func structure() throws {
        let text = #" {"a": [1, {"b": null}, "x"], "c": true, "d": -12.5e3, "e": {}} "#
        try scan(text) { document throws in
            let root = document.root
            #expect(document.nodes[root].kind == .object)
            #expect(document.nodes[root].count == 4)
            let members = document.members(of: root)
            #expect(try members.map { try document.string($0.key) } == ["a", "c", "d", "e"])
            let array = try #require(document.member("a", in: root))
            #expect(document.nodes[array].kind == .array && document.nodes[array].count == 3)
            let bytes = Array(text.utf8)
            #expect(String(decoding: bytes[document.nodes[array].range], as: UTF8.self) == #"[1, {"b": null}, "x"]"#)
            // `next` of the array's first element is its second, of the array the member after it.
            #expect(document.nodes[array + 1].next == array + 2)
            #expect(document.nodes[document.nodes[array].next + 1].kind == .bool)
            #expect(try document.bool(try #require(document.member("c", in: root))))
            #expect(try document.double(try #require(document.member("d", in: root))) == -12_500)
            #expect(throws: JSONNodeError.self) { try document.integer(try #require(document.member("d", in: root))) }
            #expect(document.member("b", in: root) == nil, "a nested key is not the object's member")
            let string = array + 5
            #expect(try document.string(string) == "x")
            #expect(String(decoding: bytes[document.nodes[string].range], as: UTF8.self) == #""x""#)
        }
    }

    @Test("strings with escapes read as JSONDecoder reads them, keys with escapes found by their text")
    func escapes() throws {
        var random = SystemRandomNumberGenerator()
        let alphabet: [Character] = [
            "a", "\"", "\\", "/", "\n", "\t", "\u{08}", "\u{0C}", "\r", "\u{01}", "é", "😀", "字", " ",
        ]
        for _ in 0..<500 {
            let value = String(
                (0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" })
            let encoded = String(decoding: try JSONEncoder().encode(["k\n": value]), as: UTF8.self)
            try scan(encoded) { document throws in
                let member = try #require(document.member("k\n", in: document.root), "\(encoded)")
                #expect(try document.string(member) == value, "\(encoded)")
            }
        }
        try scan(#"["\u00e9\ud83d\ude00\/", "\ud83d", "\udc00x"]"#) { document throws in
            #expect(try document.string(1) == "é😀/")
            #expect(throws: JSONNodeError.self) { try document.string(2) }
            #expect(throws: JSONNodeError.self) { try document.string(3) }
        }
    }

    @Test("integers: plain ones up to 64 bits, nothing else")
    func integers() throws {
        let integers = "[0, -0, 9223372036854775807, -9223372036854775808, 9223372036854775808, 1.0, 1e2]"
        try scan(integers) { document throws in
            #expect(try document.integer(1) == 0)
            #expect(try document.integer(2) == 0)
            #expect(try document.integer(3) == Int64.max)
            #expect(try document.integer(4) == Int64.min)
            for index in 5...7 {
                #expect(throws: JSONNodeError.self) { try document.integer(index) }
            }
        }
    }

    @Test("what is not one JSON value is refused, with where")
    func refused() throws {
        for bad in [
            "", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "-", "1.", ".5", "1e", "+1", "tru", "nul",
            "\"abc", "\"a\u{01}b\"", #""\x""#, #""\u12g4""#, "[1] [2]", "{\"a\":1}}", "'a'", "NaN",
        ] {
            #expect(throws: JSONNodeError.self, "\(bad)") { try scan(bad) { _ in () } }
        }
        let error = try #require(throws: JSONNodeError.self) { try scan("[1, 2, x]") { _ in () } }
        #expect(error.offset == 7)
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(throws: JSONNodeError.self) { try scan(deep) { _ in () } }
        let bytes = Array(deep.utf8)
        #expect(
            try bytes.withUnsafeBufferPointer { try JSONDocument(scanning: $0, maximumDepth: 100).nodes.count } == 70)
    }
}

@Suite("Writing JSON strings")
struct JSONStringTests {
    @Test("a quoted string reads back as itself, through JSONDecoder and JSONDocument; plain text is left whole")
    func roundTrip() throws {
        var random = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "\"", "\\", "/", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "😀", " ", "\r\n"]
        for _ in 0..<500 {
            let count = Int.random(in: 0...10, using: &random)
            let text = String((0..<count).map { _ in alphabet.randomElement(using: &random) ?? "a" })
            let quoted = JSONString.quote(text)
            #expect(try JSONDecoder().decode(String.self, from: Data(quoted.utf8)) == text, "\(quoted)")
            var bytes: [UInt8] = []
            JSONString.appendQuoted(text, to: &bytes)
            #expect(bytes == Array(quoted.utf8))
            let read = try bytes.withUnsafeBufferPointer { try JSONDocument(scanning: $0).string(0) }
            #expect(read == text)
        }
        #expect(JSONString.quote("a\"b\\c\n\u{1}") == #""a\"b\\c\u000a\u0001""#)
        #expect(JSONString.quote("plain é/") == "\"plain é/\"")
    }
}
