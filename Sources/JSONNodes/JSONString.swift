/// Writing JSON by hand (event lines, append requests, projection rows and states): the one home for
/// escaping a string.
public enum JSONString {
    /// `text` as a JSON string literal, quotes included: `"` and `\` escaped, control characters as
    /// `\u00XX`, everything else as it is (UTF-8).
    public static func quote(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }

    /// Appends `text` as a JSON string literal (see `quote`) to `out`.
    public static func appendQuoted(_ text: String, to out: inout String) {
        // Most text needs no escaping: append it whole (appending it scalar by scalar was once the
        // largest single cost of writing a rebuild's rows).
        guard text.utf8.contains(where: needsEscape) else {
            out += "\""
            out += text
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        appendQuoted(text, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal (see `quote`) to `out`, as UTF-8.
    public static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most text needs no escaping: copied at once (byte by byte it was ~3 % of a rebuild's client CPU, in
        // the fold states' keys and values).
        var text = text
        let copied = text.withUTF8 { utf8 -> Bool in
            guard !utf8.contains(where: needsEscape) else { return false }
            out.append(contentsOf: utf8)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            if needsEscape(byte) {
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                default:
                    out.append(contentsOf: [
                        UInt8(ascii: "u"), 48, 48, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)],
                    ])
                }
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends JSON text that needs no escaping (punctuation, a key such as `"actor":`), copied from the literal
    /// at once: appending a literal's `utf8` view goes element by element.
    public static func appendLiteral(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
