import Foundation

/// Reads one event type from stored JSON: the current version directly, older versions through upcasters.
struct EventDecoder: Sendable {
    typealias Upcaster = @Sendable (Data, JSONDecoder) throws -> any EventPayload

    let typeName: String
    let currentVersion: Int
    private let decodeCurrent: @Sendable (Data, JSONDecoder) throws -> ClinicEvent
    /// The current version through `StoredEventJSON` alone (which throws where it does not apply).
    let decodeFast: @Sendable (Data) throws -> ClinicEvent
    private let upcasters: [Int: Upcaster]
    private let wrapAny: @Sendable (any EventPayload) -> ClinicEvent?

    init<Payload: EventPayload>(
        _ type: Payload.Type, upcasters: [Int: Upcaster] = [:],
        wrap: @escaping @Sendable (Payload) -> ClinicEvent
    ) {
        self.init(type, upcasters: upcasters, wrap: wrap) { wrap(try StoredEventJSON.decode(Payload.self, from: $0)) }
    }

    /// For a payload with a hand-written decoder: its fast path reads the nodes by hand (`NodeDecodable`), not
    /// through `Decodable`'s containers.
    init<Payload: EventPayload & NodeDecodable>(
        _ type: Payload.Type, upcasters: [Int: Upcaster] = [:],
        wrap: @escaping @Sendable (Payload) -> ClinicEvent
    ) {
        self.init(type, upcasters: upcasters, wrap: wrap) {
            wrap(try StoredEventJSON.decodeByHand(Payload.self, from: $0))
        }
    }

    private init<Payload: EventPayload>(
        _ type: Payload.Type, upcasters: [Int: Upcaster], wrap: @escaping @Sendable (Payload) -> ClinicEvent,
        decodeFast: @escaping @Sendable (Data) throws -> ClinicEvent
    ) {
        typeName = Payload.typeName
        currentVersion = Payload.schemaVersion
        self.decodeFast = decodeFast
        decodeCurrent = { data, decoder in
            // The fast path when it applies; else `JSONDecoder`, which also gives every error (`StoredEventJSON`).
            if let event = try? decodeFast(data) { return event }
            return wrap(try decoder.decode(Payload.self, from: data))
        }
        self.upcasters = upcasters
        wrapAny = { payload in (payload as? Payload).map(wrap) }
    }

    /// An upcaster that decodes a legacy form and converts it to the current one.
    static func upcaster<Legacy: LegacyEventPayload>(_ type: Legacy.Type) -> Upcaster {
        { data, decoder in try decoder.decode(Legacy.self, from: data).upcast() }
    }

    func decode(schemaVersion: Int, data: Data, decoder: JSONDecoder) throws -> ClinicEvent {
        do {
            if schemaVersion == currentVersion { return try decodeCurrent(data, decoder) }
            guard let upcaster = upcasters[schemaVersion] else {
                throw UnsupportedSchemaVersion(type: typeName, schemaVersion: schemaVersion, current: currentVersion)
            }
            guard let event = wrapAny(try upcaster(data, decoder)) else {
                throw MalformedEventData(type: typeName, schemaVersion: schemaVersion, reason: "upcaster type mismatch")
            }
            return event
        } catch let error as UnsupportedSchemaVersion {
            throw error
        } catch let error as MalformedEventData {
            throw error
        } catch {
            throw MalformedEventData(type: typeName, schemaVersion: schemaVersion, reason: Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return String(describing: error) }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "" : " at \(keys.joined(separator: "."))"
        }
        switch decodingError {
        case .keyNotFound(let key, let context): return "missing key '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context): return "wrong type\(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value\(path(context))"
        case .dataCorrupted(let context): return "corrupted data\(path(context)): \(context.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }
}
