import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
        guard String(validatingUTF8: event.data) != nil else {
            throw EventStoreError.invalidData(eventID: event.id, reason: "not valid UTF-8")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: event.data, options: [.fragmentsAllowed])
        } catch {
            throw EventStoreError.invalidData(eventID: event.id, reason: "not valid JSON")
        }
        guard object is [String: Any] else {
            throw EventStoreError.invalidData(eventID: event.id, reason: "not a JSON object")
        }
        // A NUL can reach a parsed string only as the escape `\u0000` (or as a raw byte, which JSON
        // does not allow): without either in the text there is nothing to look for.
        if Self.mayContainNUL(event.data), Self.containsNUL(object) {
            throw EventStoreError.invalidData(
                eventID: event.id, reason: "contains a NUL character (\\u0000), which PostgreSQL jsonb cannot store")
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

    /// True when `data` holds a NUL byte or a backslash followed by `u0000` (either case of `u`): one
    /// pass over the bytes, most of them skipped by `memchr`.
    static func mayContainNUL(_ data: Data) -> Bool {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard let base = raw.baseAddress, raw.count > 0 else { return false }
            if memchr(base, 0, raw.count) != nil { return true }
            var offset = 0
            while offset < raw.count,
                let found = memchr(base + offset, Int32(UInt8(ascii: "\\")), raw.count - offset)
            {
                let at = base.distance(to: UnsafeRawPointer(found))
                if at + 5 < raw.count, raw[at + 1] | 0x20 == UInt8(ascii: "u"), raw[at + 2] == 0x30,
                    raw[at + 3] == 0x30, raw[at + 4] == 0x30, raw[at + 5] == 0x30
                {
                    return true
                }
                // An escaped backslash is not the start of an escape: skip both.
                offset = at + (at + 1 < raw.count && raw[at + 1] == UInt8(ascii: "\\") ? 2 : 1)
            }
            return false
        }
    }

    private static func containsNUL(_ value: Any) -> Bool {
        switch value {
        case let string as String:
            return string.utf8.contains(0)
        case let dictionary as [String: Any]:
            return dictionary.contains { $0.key.utf8.contains(0) || containsNUL($0.value) }
        case let array as [Any]:
            return array.contains { containsNUL($0) }
        default:
            return false
        }
    }
}

extension String {
    fileprivate init?(validatingUTF8 data: Data) {
        guard let string = String(data: data, encoding: .utf8) else { return nil }
        self = string
    }
}
