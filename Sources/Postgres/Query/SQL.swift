/// A statement with its parameters, built by string interpolation: every interpolated
/// value becomes a `$n` placeholder and is bound, never spliced into the text.
///
///     let rows = try await connection.query("SELECT * FROM events WHERE stream = \(stream)")
///
/// Only string literals convert to `SQL`, so a value cannot slip into the text by accident.
/// Identifiers (schema names) go through `\(identifier: name)`, which quotes them.
public struct SQL: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String
    public private(set) var binds: [PostgresBind]

    public init(stringLiteral value: String) {
        text = value
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        binds = stringInterpolation.binds
    }

    /// Text from this module's own fixed vocabulary (never from values), with no parameters.
    init(trusted text: String) {
        self.text = text
        binds = []
    }

    /// A statement assembled by code from quoted identifiers, with one JSON parameter spliced
    /// between two trusted pieces. For bulk writers that build column lists at run time; never
    /// pass text derived from user input as `trustedPrefix` or `suffix`.
    public init(trustedPrefix: String, json: String, suffix: String) {
        text = trustedPrefix + "$1" + suffix
        binds = [.text(json)]
    }

    public var description: String { text }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Binds a value as the next `$n` parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value.postgresBind)
            text += "$\(binds.count)"
        }

        /// Binds an optional value: NULL when nil.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            // A closure, not `\.postgresBind`: a key path over a generic type is built at run time on every
            // call (the runtime demangles its pattern), which was ~4 % of a lone append's client CPU.
            binds.append(value.map { $0.postgresBind } ?? .null)
            text += "$\(binds.count)"
        }

        /// Quotes an identifier (a schema or table name) with double quotes, doubling any inside.
        public mutating func appendInterpolation(identifier: String) {
            text += SQL.quoteIdentifier(identifier)
        }

        /// Splices another statement fragment in, renumbering its parameters.
        ///
        /// The text is scanned as UTF-8 bytes (`$` and digits are ASCII, and no byte of a longer character is
        /// ASCII), not as `Character`s: splitting into grapheme clusters was ~3 % of a lone append's client CPU.
        public mutating func appendInterpolation(fragment: SQL) {
            let offset = binds.count
            guard offset > 0, !fragment.binds.isEmpty else {
                text += fragment.text
                binds += fragment.binds
                return
            }
            var rewritten: [UInt8] = []
            let source = Array(fragment.text.utf8)
            rewritten.reserveCapacity(source.count + 8)
            var index = 0
            while index < source.count {
                let byte = source[index]
                rewritten.append(byte)
                index += 1
                guard byte == UInt8(ascii: "$") else { continue }
                var number = 0
                var end = index
                while end < source.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(source[end]),
                    number < Int.max / 10 - 9
                {
                    number = number * 10 + Int(source[end] - UInt8(ascii: "0"))
                    end += 1
                }
                guard end > index, number >= 1 else { continue }
                rewritten.append(contentsOf: String(number + offset).utf8)
                index = end
            }
            text += String(decoding: rewritten, as: UTF8.self)
            binds += fragment.binds
        }
    }

    /// Double-quotes an identifier for use in SQL text.
    public static func quoteIdentifier(_ identifier: String) -> String {
        // Nearly every identifier holds no quote: no trip through `NSString` then (projections build their
        // tables' merge clauses per batch, and that trip showed in a rebuild's profile).
        guard identifier.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + identifier + "\"" }
        return "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
