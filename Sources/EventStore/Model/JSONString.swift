import Foundation

/// JSON text for values the store writes by hand (request bodies, event lines): one home for the escaping.
public enum JSONString {
    /// `text` as a JSON string literal, quotes included: `"` and `\` escaped, control characters as `\u00XX`.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
