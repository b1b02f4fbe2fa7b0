import Foundation
import Testing
import TextCodecs

/// `Hex`, against Foundation's own text forms and its own inverse.
struct HexTests {
    @Test func uuidTextIsFoundationsInBothCases() {
        for _ in 0..<5_000 {
            let uuid = UUID()
            #expect(Hex.uuid(uuid, uppercase: true) == uuid.uuidString)
            #expect(Hex.uuid(uuid, uppercase: false) == uuid.uuidString.lowercased())
            let parsed = Hex.uuid(uuid, uppercase: false).utf8CString.withUnsafeBufferPointer { text in
                text.withMemoryRebound(to: UInt8.self) { UUIDText.parse(UnsafeBufferPointer(rebasing: $0.dropLast())) }
            }
            #expect(parsed.map(UUID.init(uuid:)) == uuid, "UUIDText reads back what Hex.uuid wrote")
        }
    }

    @Test func encodeAndDecodeAreInverse() {
        var generator = SystemRandomNumberGenerator()
        for count in 0..<70 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Hex.encode(bytes)
            #expect(text == bytes.map { String(format: "%02x", $0) }.joined())
            #expect(Hex.decode(text) == bytes)
            #expect(Hex.decode(text.uppercased()) == bytes, "either case decodes")
            let matches = bytes.withUnsafeBytes { Hex.equals($0, lowercaseHex: ArraySlice(text.utf8)) }
            #expect(matches)
        }
    }

    @Test func decodeRefusesWhatIsNotHex() {
        #expect(Hex.decode("abc") == nil, "an odd number of digits")
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode(" 00") == nil)
        #expect(Hex.decode("") == [])
        let bytes: [UInt8] = [0xAB, 0x01]
        #expect(
            !bytes.withUnsafeBytes { Hex.equals($0, lowercaseHex: ArraySlice("AB01".utf8)) }, "stored hex is lower case"
        )
        #expect(!bytes.withUnsafeBytes { Hex.equals($0, lowercaseHex: ArraySlice("ab0".utf8)) })
    }
}
