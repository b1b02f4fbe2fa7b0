import Foundation

extension UUID {
    /// A random (version 4) UUID from the system's generator (`getrandom` on Linux), the default id of a
    /// new event. `UUID()` in swift-corelibs-foundation opens, reads and closes `/dev/urandom` for every
    /// id: 18 % of a client's CPU at 100 events per append.
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = (raw[6] & 0x0f) | 0x40
            raw[8] = (raw[8] & 0x3f) | 0x80
            return UUID(uuid: raw.load(as: uuid_t.self))
        }
    }
}
