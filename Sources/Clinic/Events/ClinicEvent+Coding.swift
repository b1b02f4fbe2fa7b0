import Foundation

extension ClinicEvent {
    /// Encodes for the event store: type name, schema version and a JSON object with ISO-8601 dates and sorted
    /// keys, so the same event always gives the same bytes.
    public func encoded() throws -> (type: String, schemaVersion: Int, data: Data) {
        let data = try ClinicJSON.makeEncoder().encode(payload)
        return (typeName, schemaVersion, data)
    }

    /// Decodes a stored event, upcasting older schema versions.
    ///
    /// Throws `UnknownEventType` for a type this module does not know, `UnsupportedSchemaVersion` for a version it
    /// cannot read and `MalformedEventData` (naming the type) when the JSON does not fit.
    public static func decode(type: String, schemaVersion: Int, data: Data) throws -> ClinicEvent {
        guard let decoder = decodersByType[type] else {
            throw UnknownEventType(type: type, schemaVersion: schemaVersion)
        }
        return try decoder.decode(schemaVersion: schemaVersion, data: data, decoder: ClinicJSON.sharedDecoder)
    }

    /// Type names and current schema versions of every event this module writes.
    public static var knownTypes: [(type: String, schemaVersion: Int)] {
        decoders.map { ($0.typeName, $0.currentVersion) }
    }

    static let decodersByType: [String: EventDecoder] = Dictionary(
        decoders.map { ($0.typeName, $0) }, uniquingKeysWith: { first, _ in first })
}

/// The JSON conventions of stored clinic events.
public enum ClinicJSON {
    /// An encoder with ISO-8601 dates and sorted keys.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// One decoder for every stored event: `decode` is safe to call concurrently, and making a
    /// decoder per event was a visible share of decoding a batch.
    static let sharedDecoder = makeDecoder()

    /// A decoder with ISO-8601 dates: `.iso8601`'s meaning and errors, with a fast path for the form
    /// the encoder writes (`ISO8601Timestamp`).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom(decodeDate)
        return decoder
    }

    /// What `.iso8601` does: a string, parsed as ISO 8601, else the same `dataCorrupted` error (which,
    /// as `.iso8601`'s does, carries no coding path).
    @Sendable static func decodeDate(_ decoder: any Decoder) throws -> Date {
        let container = try decoder.singleValueContainer()
        guard let date = ISO8601Timestamp.parse(try container.decode(String.self)) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: [], debugDescription: "Expected date string to be ISO8601-formatted."))
        }
        return date
    }
}
