/// The 16 bytes of a UUID from its canonical text, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in
/// either case: the only form `UUID(uuidString:)` accepts), parsed from the bytes without a `String`.
///
/// The one parser of UUID text: `Postgres` decodes `uuid` columns with it and `Clinic`'s stored-event decoding
/// reads events' ids with it (`UUID(uuidString:)` parses through `sscanf`, which showed in decoding a log).
/// Returns the bytes rather than a Foundation `UUID` (`UUID(uuid:)` takes them). `Hex.uuid` writes the text back.
public enum UUIDText {
    /// A UUID's bytes, the layout of Foundation's `uuid_t`.
    public typealias Bytes = (
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
    )

    /// The bytes of the canonical UUID text `text`, or nil when it is anything else. Straight-line over the 16
    /// byte pairs (no closure, no optionals per digit): every event read parses one.
    public static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Bytes? {
        guard text.count == 36 else { return nil }
        let dash = UInt8(ascii: "-")
        guard text[8] == dash, text[13] == dash, text[18] == dash, text[23] == dash else { return nil }
        // Where each of the 16 bytes starts in the text (the dashes are skipped).
        let starts: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (
            0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34
        )
        // Each pair as 0x00HL, or with a bit above 0xFF set when either digit is not hex.
        func pair(_ start: Int) -> UInt16 {
            nibble(text[start]) << 4 | nibble(text[start + 1])
        }
        let pairs = (
            pair(starts.0), pair(starts.1), pair(starts.2), pair(starts.3), pair(starts.4), pair(starts.5),
            pair(starts.6), pair(starts.7), pair(starts.8), pair(starts.9), pair(starts.10), pair(starts.11),
            pair(starts.12), pair(starts.13), pair(starts.14), pair(starts.15)
        )
        let invalid =
            (pairs.0 | pairs.1 | pairs.2 | pairs.3 | pairs.4 | pairs.5 | pairs.6 | pairs.7 | pairs.8 | pairs.9
                | pairs.10 | pairs.11 | pairs.12 | pairs.13 | pairs.14 | pairs.15) & 0xFF00
        guard invalid == 0 else { return nil }
        return (
            UInt8(truncatingIfNeeded: pairs.0), UInt8(truncatingIfNeeded: pairs.1), UInt8(truncatingIfNeeded: pairs.2),
            UInt8(truncatingIfNeeded: pairs.3), UInt8(truncatingIfNeeded: pairs.4), UInt8(truncatingIfNeeded: pairs.5),
            UInt8(truncatingIfNeeded: pairs.6), UInt8(truncatingIfNeeded: pairs.7), UInt8(truncatingIfNeeded: pairs.8),
            UInt8(truncatingIfNeeded: pairs.9), UInt8(truncatingIfNeeded: pairs.10),
            UInt8(truncatingIfNeeded: pairs.11), UInt8(truncatingIfNeeded: pairs.12),
            UInt8(truncatingIfNeeded: pairs.13), UInt8(truncatingIfNeeded: pairs.14),
            UInt8(truncatingIfNeeded: pairs.15)
        )
    }

    /// A hex digit's value (either case), or 0x100.
    private static func nibble(_ byte: UInt8) -> UInt16 {
        switch byte {
        case 48...57: UInt16(byte - 48)
        case 97...102: UInt16(byte - 87)
        case 65...70: UInt16(byte - 55)
        default: 0x100
        }
    }
}
