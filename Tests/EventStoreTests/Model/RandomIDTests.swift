import EventStore
import Foundation
import Testing

@Suite("New events' default ids")
struct RandomIDTests {
    @Test("version 4, RFC 4122 variant, all different, and the default of a new event")
    func versionFour() {
        let ids = (0..<10_000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.uuid.6 >> 4 == 4, "\(id)")
            #expect(id.uuid.8 >> 6 == 0b10, "\(id)")
        }
        // Every bit outside the version and variant varies.
        let ored = ids.reduce(into: [UInt8](repeating: 0, count: 16)) { bits, id in
            withUnsafeBytes(of: id.uuid) { for (index, byte) in $0.enumerated() { bits[index] |= byte } }
        }
        #expect(ored == [255, 255, 255, 255, 255, 255, 0x4f, 255, 0xbf, 255, 255, 255, 255, 255, 255, 255])
        let first = NewEvent(type: "a.b", json: "{}")
        let second = NewEvent(type: "a.b", json: "{}")
        #expect(first.id != second.id && first.id.uuid.6 >> 4 == 4)
    }
}
