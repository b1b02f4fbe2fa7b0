import Foundation

/// An event to append: its id, type, schema version, JSON data and metadata.
public struct NewEvent: Sendable, Hashable {
    /// Unique forever; appending the same id again with the same content is a no-op.
    public var id: UUID
    /// The event's type name, e.g. `client.registered`.
    public var type: String
    /// The version of the data's shape, from 1.
    public var schemaVersion: Int
    /// A JSON object, as UTF-8 text.
    public var data: Data
    public var metadata: EventMetadata

    public init(
        id: UUID = .random(), type: String, schemaVersion: Int = 1, data: Data, metadata: EventMetadata = .init()
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
    }

    /// Convenience for a JSON object given as a string.
    public init(
        id: UUID = .random(), type: String, schemaVersion: Int = 1, json: String, metadata: EventMetadata = .init()
    ) {
        self.init(id: id, type: type, schemaVersion: schemaVersion, data: Data(json.utf8), metadata: metadata)
    }
}

extension NewEvent {
    /// The store's rule for type names: 1–200 letters, digits and `_ . : -`, starting with a letter or digit.
    public static func isValidType(_ type: String) -> Bool {
        let bytes = Array(type.utf8)
        guard (1...200).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
        }
        guard alphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == 95 || $0 == 46 || $0 == 58 || $0 == 45 }
    }
}
