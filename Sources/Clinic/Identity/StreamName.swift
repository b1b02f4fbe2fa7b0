import Foundation

/// The name of an event stream: `<category>-<id>`, where the category is the text before the first `-`.
public struct StreamName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The full stream name, e.g. `client-6f1c…`.
    public let rawValue: String

    /// Category of client streams.
    public static let clientCategory = "client"
    /// Category of technician streams.
    public static let technicianCategory = "technician"
    /// Category of pigment batch streams.
    public static let pigmentBatchCategory = "pigment"
    /// Category of location streams.
    public static let locationCategory = "location"
    /// Category of care instruction set streams.
    public static let careCategory = "care"
    /// Category of the clinic settings stream.
    public static let settingsCategory = "settings"

    /// The clinic's settings: `settings-clinic` (clinic-wide and per-location values in one stream).
    public static let clinicSettings = StreamName(category: settingsCategory, id: "clinic")

    /// Parses a stream name; nil unless it has a non-empty category and id around the first `-`.
    public init?(rawValue: String) {
        guard let dash = rawValue.firstIndex(of: "-"), dash != rawValue.startIndex,
            rawValue.index(after: dash) != rawValue.endIndex
        else { return nil }
        self.rawValue = rawValue
    }

    private init(category: String, id: String) {
        rawValue = category + "-" + id
    }

    /// The stream of one client: `client-<lowercase uuid>`.
    public static func client(_ id: ClientID) -> StreamName {
        StreamName(category: clientCategory, id: id.uuidString.lowercased())
    }

    /// The stream of one technician: `technician-<id>`.
    public static func technician(_ id: TechnicianID) -> StreamName {
        StreamName(category: technicianCategory, id: id.rawValue)
    }

    /// The stream of one pigment batch: `pigment-<batch number>`.
    public static func pigmentBatch(_ batch: PigmentBatchNumber) -> StreamName {
        StreamName(category: pigmentBatchCategory, id: batch.rawValue)
    }

    /// The stream of one location: `location-<id>`.
    public static func location(_ id: LocationID) -> StreamName {
        StreamName(category: locationCategory, id: id.rawValue)
    }

    /// The stream of one care instruction set: `care-<id>`.
    public static func instructionSet(_ id: InstructionSetID) -> StreamName {
        StreamName(category: careCategory, id: id.rawValue)
    }

    /// The text before the first `-`, e.g. `client`.
    public var category: String {
        guard let dash = rawValue.firstIndex(of: "-") else { return rawValue }
        return String(rawValue[..<dash])
    }

    /// The text after the first `-`.
    public var id: String {
        guard let dash = rawValue.firstIndex(of: "-") else { return "" }
        return String(rawValue[rawValue.index(after: dash)...])
    }

    /// The client id when this is a client stream.
    public var clientID: ClientID? {
        category == Self.clientCategory ? UUID(uuidString: id) : nil
    }

    /// The technician id when this is a technician stream.
    public var technicianID: TechnicianID? {
        category == Self.technicianCategory ? TechnicianID(id) : nil
    }

    /// The batch number when this is a pigment batch stream.
    public var pigmentBatchNumber: PigmentBatchNumber? {
        category == Self.pigmentBatchCategory ? PigmentBatchNumber(id) : nil
    }

    /// The location id when this is a location stream.
    public var locationID: LocationID? {
        category == Self.locationCategory ? LocationID(id) : nil
    }

    /// The instruction set id when this is a care stream.
    public var instructionSetID: InstructionSetID? {
        category == Self.careCategory ? InstructionSetID(id) : nil
    }

    /// The full stream name.
    public var description: String { rawValue }

    /// Orders stream names by their text.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
