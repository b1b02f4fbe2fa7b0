import Foundation
import JSONNodes

/// Checks events before they reach the database, so bad input fails with a clear error.
struct EventValidator: Sendable {
    var limits: EventStore.Limits

    func validate(_ appends: [StreamAppend]) throws {
        var seen = Set<UUID>()
        var total = 0
        for append in appends {
            guard !append.events.isEmpty else { throw EventStoreError.noEvents(stream: append.stream.rawValue) }
            if case .exact(let version) = append.expectedVersion, version < 0 {
                throw EventStoreError.wrongExpectedVersion(
                    stream: append.stream.rawValue, expected: append.expectedVersion, actual: nil)
            }
            for event in append.events {
                guard seen.insert(event.id).inserted else { throw EventStoreError.duplicateEventID(event.id) }
                try validate(event)
            }
            total += append.events.count
        }
        guard total <= limits.maximumEventsPerAppend else {
            throw EventStoreError.tooManyEvents(count: total, limit: limits.maximumEventsPerAppend)
        }
    }

    func validate(_ event: NewEvent) throws {
        guard NewEvent.isValidType(event.type) else { throw EventStoreError.invalidEventType(event.type) }
        guard (1...Int(Int16.max)).contains(event.schemaVersion) else {
            throw EventStoreError.invalidSchemaVersion(event.schemaVersion)
        }
        guard event.data.count <= limits.maximumDataBytes else {
            throw EventStoreError.payloadTooLarge(
                eventID: event.id, bytes: event.data.count, limit: limits.maximumDataBytes)
        }
        if let problem = Self.dataProblem(event.data) {
            throw EventStoreError.invalidData(eventID: event.id, reason: problem)
        }
        if let actor = event.metadata.actor, actor.utf8.contains(0) {
            throw EventStoreError.invalidMetadata(reason: "actor contains a NUL character")
        }
        if let reason = event.metadata.reason, reason.utf8.contains(0) {
            throw EventStoreError.invalidMetadata(reason: "reason contains a NUL character")
        }
        if event.metadata.extra.contains(where: { $0.key.utf8.contains(0) || $0.value.utf8.contains(0) }) {
            throw EventStoreError.invalidMetadata(reason: "extra contains a NUL character")
        }
    }

    /// What is wrong with an event's data, or nil: it must be UTF-8, one JSON value (RFC 8259, nested at
    /// most `JSONMemberScanner.maximumDepth` deep, so the vault can read whatever is stored), an object,
    /// and hold no NUL (`\u0000`, which PostgreSQL's jsonb cannot store) or half of a surrogate pair in a
    /// string. Read through `JSONDocument`'s one scan; only strings with an escape are decoded.
    static func dataProblem(_ data: Data) -> String? {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard isUTF8(bytes) else { return "not valid UTF-8" }
            guard let document = try? JSONDocument(scanning: bytes, maximumDepth: JSONMemberScanner.maximumDepth)
            else { return "not valid JSON" }
            guard document.nodes[document.root].kind == .object else { return "not a JSON object" }
            for (index, node) in document.nodes.enumerated() where node.kind == .string && node.flag {
                guard let text = try? document.string(index) else { return "not valid JSON" }
                if text.utf8.contains(0) {
                    return "contains a NUL character (\\u0000), which PostgreSQL jsonb cannot store"
                }
            }
            return nil
        }
    }

    /// True when `bytes` are UTF-8, checked in place (`UTF8Span`) where the standard library has it rather
    /// than by copying them into a String only to drop it.
    private static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if #available(macOS 26, *) {
            return (try? UTF8Span(validating: bytes.span)) != nil
        }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
