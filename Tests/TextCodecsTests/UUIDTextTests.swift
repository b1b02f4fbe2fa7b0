import Foundation
import Testing
import TextCodecs

@Suite("UUID text")
struct UUIDTextTests {
    private func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { UUIDText.parse($0) }.map(UUID.init(uuid:))
    }

    @Test("parses what UUID(uuidString:) reads in the canonical form, either case, and nothing else")
    func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEFgG/:@`".utf8)
        for _ in 0..<20_000 {
            var bytes = Array(UUID().uuidString.utf8)
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                bytes[Int.random(in: 0..<36, using: &generator)] = alphabet.randomElement(using: &generator) ?? 0
            }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(parse(text) == UUID(uuidString: text), "\(text)")
            #expect(parse(text.lowercased()) == UUID(uuidString: text.lowercased()), "\(text)")
        }
        let id = UUID()
        #expect(parse(id.uuidString.lowercased()) == id)
        #expect(parse(String(id.uuidString.dropLast())) == nil)
        #expect(parse(id.uuidString + "0") == nil)
        #expect(parse("") == nil)
    }
}
