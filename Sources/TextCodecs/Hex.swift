import Foundation

/// Lower-case hexadecimal text of bytes, and back: the one hex codec (hashes, chain links, secrets).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The lower-case hex of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        append(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the lower-case hex of `bytes` to `out` (text being built as bytes, e.g. a `bytea` literal).
    public static func append(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
    }

    /// `uuid.uuidString` (upper case), or its lower-case form, without Foundation's `snprintf` per UUID
    /// (projections key their states by appointment and deposit ids, several per event).
    public static func uuid(_ uuid: UUID, uppercase: Bool) -> String {
        let alphabet = uppercase ? upperDigits : digits
        return withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var index = 0
                for (offset, byte) in bytes.enumerated() {
                    if offset == 4 || offset == 6 || offset == 8 || offset == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = alphabet[Int(byte >> 4)]
                    out[index + 1] = alphabet[Int(byte & 0x0f)]
                    index += 2
                }
                return index
            }
        }
    }

    private static let upperDigits = Array("0123456789ABCDEF".utf8)

    /// The value of one hex digit (either case), or nil.
    public static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 97...102: byte - 87
        case 65...70: byte - 55
        default: nil
        }
    }

    /// True when `text` is exactly the lowercase hex of `bytes` (PostgreSQL prints bytea so).
    public static func equals(_ bytes: UnsafeRawBufferPointer, lowercaseHex text: ArraySlice<UInt8>) -> Bool {
        guard text.count == bytes.count * 2 else { return false }
        var index = text.startIndex
        for byte in bytes {
            guard text[index] == digits[Int(byte >> 4)], text[index + 1] == digits[Int(byte & 0x0f)] else {
                return false
            }
            index += 2
        }
        return true
    }

    /// The bytes of hex `text` (either case); nil unless it is an even number of hex digits.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
