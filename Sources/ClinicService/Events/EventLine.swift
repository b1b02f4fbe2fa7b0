import Clinic
import EventStore
import Foundation
import JSONNodes

/// One event as one line of JSON: the format of `stipple export`, `stipple import` and `stipple tail`.
///
/// ```
/// {"position":1,"stream":"client-…","version":0,"id":"…","type":"client.registered","schema_version":2,
///  "data":{…},"metadata":{"actor":"generator",…},"recorded_at":"2026-05-01T09:30:00.123456Z"}
/// ```
/// `data` and `metadata` are JSON objects copied byte for byte (never re-encoded, so numbers keep their
/// exact text); `recorded_at` is UTC with microseconds.
public struct EventLine: Sendable {
    public var position: Int64?
    public var stream: EventStreamName
    public var version: Int
    public var id: UUID
    public var type: String
    public var schemaVersion: Int
    /// The data object's JSON text.
    public var data: Data
    /// The metadata object's JSON text.
    public var metadata: Data
    public var recordedAt: String?

    public init(_ event: RecordedEvent) {
        position = event.position
        stream = event.stream
        version = event.version
        id = event.id
        type = event.type
        schemaVersion = event.schemaVersion
        data = event.data
        metadata = event.metadataJSON
        recordedAt = Self.timestamp(event.recordedAt)
    }

    /// The line, without its newline.
    public func encoded() -> Data {
        var out = Data()
        Self.write(
            position: position, feed: nil, stream: stream.rawValue, version: version, id: id, type: type,
            schemaVersion: schemaVersion, data: data, metadata: metadata, recordedAt: recordedAt, into: &out)
        return out
    }

    /// The fields a channel carries.
    public enum Fields: Sendable {
        /// `stipple export`, `import` and `tail`: position, stream, version, id, type, schema_version,
        /// data, metadata and recorded_at (microseconds).
        case line
        /// The HTTP feed, server-sent events and webhook bodies: position, the resume `token`, stream, its
        /// `category`, version, id, type, schema_version, data, metadata and recorded_at (milliseconds).
        case feed
    }

    /// A stored event as one JSON object with the fields of `fields`; `data` and `metadata` are spliced
    /// in as stored, never parsed or re-encoded.
    public static func encode(_ event: RecordedEvent, _ fields: Fields) -> Data {
        var out = Data()
        append(event, fields, to: &out)
        return out
    }

    /// Appends `encode(event, fields)` to `out`.
    public static func append(_ event: RecordedEvent, _ fields: Fields, to out: inout Data) {
        let recordedAt = timestamp(event.recordedAt)
        switch fields {
        case .line:
            write(
                position: event.position, feed: nil, stream: event.stream.rawValue, version: event.version,
                id: event.id, type: event.type, schemaVersion: event.schemaVersion, data: event.data,
                metadata: event.metadataJSON, recordedAt: recordedAt, into: &out)
        case .feed:
            // Milliseconds, as the feed has always sent them: `…T09:30:00.123Z`.
            write(
                position: event.position, feed: (event.checkpoint.token, event.stream.category),
                stream: event.stream.rawValue, version: event.version, id: event.id, type: event.type,
                schemaVersion: event.schemaVersion, data: event.data, metadata: event.metadataJSON,
                recordedAt: String(recordedAt.dropLast(4)) + "Z", into: &out)
        }
    }

    /// The one writer of an event's JSON object.
    private static func write(
        position: Int64?, feed: (token: String, category: String)?, stream: String, version: Int, id: UUID,
        type: String, schemaVersion: Int, data: Data, metadata: Data, recordedAt: String?, into out: inout Data
    ) {
        out.reserveCapacity(out.count + data.count + metadata.count + 320)
        out.append(contentsOf: "{\"position\":\(position.map(String.init) ?? "null")".utf8)
        if let feed { out.append(contentsOf: ",\"token\":\(JSONString.quote(feed.token))".utf8) }
        out.append(contentsOf: ",\"stream\":\(JSONString.quote(stream))".utf8)
        if let feed { out.append(contentsOf: ",\"category\":\(JSONString.quote(feed.category))".utf8) }
        out.append(contentsOf: ",\"version\":\(version),\"id\":\"\(id.uuidString.lowercased())\",\"type\":".utf8)
        out.append(contentsOf: JSONString.quote(type).utf8)
        out.append(contentsOf: ",\"schema_version\":\(schemaVersion),\"data\":".utf8)
        out.append(data)
        out.append(contentsOf: ",\"metadata\":".utf8)
        out.append(metadata)
        out.append(contentsOf: ",\"recorded_at\":\(recordedAt.map(JSONString.quote) ?? "null")}".utf8)
    }

    /// The event to append (same id, type, version of shape, data and metadata).
    public func newEvent() throws -> NewEvent {
        NewEvent(
            id: id, type: type, schemaVersion: schemaVersion, data: data, metadata: try EventMetadata.decode(metadata))
    }

    /// One readable line: position, time, stream@version, type and actor.
    public func text() -> String {
        let actor = (try? EventMetadata.decode(metadata))?.actor.map { "  by \($0)" } ?? ""
        return "#\(position.map(String.init) ?? "?")  \(recordedAt ?? "-")  \(stream)@\(version)  \(type)"
            + " v\(schemaVersion)\(actor)"
    }

    // MARK: - Parsing

    /// Why a line is not an event; `EventLineReader` adds the line number.
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public static let requiredFields: Set<String> = ["stream", "version", "id", "type", "schema_version", "data"]
    public static let knownFields: Set<String> = requiredFields.union(["position", "metadata", "recorded_at"])

    /// Parses and checks one line: a JSON object with the required fields of the right types, a valid stream
    /// name and type, and object `data` and `metadata` that the store will accept.
    public init(parsing line: Data, maximumDataBytes: Int) throws(ParseError) {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: line, options: []) as? [String: Any] else {
                throw ParseError("not a JSON object")
            }
            object = parsed
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError("malformed JSON")
        }
        let missing = Self.requiredFields.subtracting(object.keys).sorted()
        guard missing.isEmpty else { throw ParseError("missing field(s) \(missing.joined(separator: ", "))") }
        if let unknown = Set(object.keys).subtracting(Self.knownFields).sorted().first {
            throw ParseError("unknown field '\(unknown.prefix(40))'")
        }
        let spans = Self.topLevelSpans(line)
        func integer(_ key: String) -> Int? {
            // From the raw text: NSNumber cannot tell 0 and 1 from false and true on every platform.
            guard let span = spans[key], let text = String(data: line.subdata(in: span), encoding: .utf8),
                text.utf8.allSatisfy({ (48...57).contains($0) }), text.utf8.count <= 15
            else { return nil }
            return Int(text)
        }
        guard let streamText = object["stream"] as? String, let stream = try? EventStreamName(streamText) else {
            throw ParseError("'stream' must be a stream name like category-id")
        }
        guard let version = integer("version"), version >= 0, version <= Int(Int32.max) else {
            throw ParseError("'version' must be an integer of 0 or more")
        }
        guard let idText = object["id"] as? String, let id = UUID(uuidString: idText) else {
            throw ParseError("'id' must be a UUID")
        }
        guard let type = object["type"] as? String, NewEvent.isValidType(type) else {
            throw ParseError("'type' must be 1–200 letters, digits and _ . : - starting with a letter or digit")
        }
        guard let schemaVersion = integer("schema_version"), (1...Int(Int16.max)).contains(schemaVersion)
        else { throw ParseError("'schema_version' must be an integer 1–32767") }
        guard object["data"] is [String: Any] else { throw ParseError("'data' must be a JSON object") }
        if let metadata = object["metadata"], !(metadata is [String: Any]) {
            throw ParseError("'metadata' must be a JSON object")
        }
        var position: Int64?
        if object["position"].map({ !($0 is NSNull) }) ?? false {
            guard let number = integer("position"), number > 0 else {
                throw ParseError("'position' must be a positive integer")
            }
            position = Int64(number)
        }
        var recordedAt: String?
        if let value = object["recorded_at"], !(value is NSNull) {
            guard let text = value as? String else { throw ParseError("'recorded_at' must be a string") }
            recordedAt = text
        }
        guard let dataSpan = spans["data"] else { throw ParseError("cannot locate 'data' in the line") }
        let data = line.subdata(in: dataSpan)
        guard data.count <= maximumDataBytes else {
            throw ParseError("'data' is \(data.count) bytes, over the store's limit of \(maximumDataBytes)")
        }
        guard !Self.containsEscapedNUL(data) else {
            throw ParseError("'data' contains a NUL character (\\u0000), which PostgreSQL cannot store")
        }
        let metadata = spans["metadata"].map { line.subdata(in: $0) } ?? Data("{}".utf8)
        do {
            _ = try EventMetadata.decode(metadata)
        } catch {
            throw ParseError(
                "'metadata' does not fit: actor, correlation_id, causation_id, reason (strings, UUIDs) and extra "
                    + "(string values) only")
        }
        guard !Self.containsEscapedNUL(metadata) else { throw ParseError("'metadata' contains a NUL character") }
        self.position = position
        self.stream = stream
        self.version = version
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
        self.recordedAt = recordedAt
    }

    private static func containsEscapedNUL(_ json: Data) -> Bool {
        json.range(of: Data(#"\u0000"#.utf8)) != nil
    }

    /// The byte ranges of the values of a JSON object's top-level keys (for a line already known to be a valid
    /// JSON object). Keys are compared as written, so `data` must be spelled without escapes, as exports do.
    public static func topLevelSpans(_ line: Data) -> [String: Range<Data.Index>] {
        let bytes = [UInt8](line)
        let base = line.startIndex
        var spans: [String: Range<Data.Index>] = [:]
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        /// Skips a string starting at its opening quote.
        func skipString() {
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            index += 1
        }
        /// Skips any value: a string, a nested object or array, or a scalar up to the next `,` or `}`.
        func skipValue() {
            var depth = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    skipString()
                    if depth == 0 { return }
                    continue
                }
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    if depth == 0 { return }
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return
                    }
                } else if depth == 0, byte == UInt8(ascii: ",") || [0x20, 0x09, 0x0A, 0x0D].contains(byte) {
                    return
                }
                index += 1
            }
        }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return [:] }
        index += 1
        while index < bytes.count {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { break }
            let keyStart = index + 1
            skipString()
            let key = String(decoding: bytes[keyStart..<max(keyStart, index - 1)], as: UTF8.self)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { break }
            index += 1
            skipWhitespace()
            let valueStart = index
            skipValue()
            spans[key] = (base + valueStart)..<(base + min(index, bytes.count))
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { break }
            index += 1
        }
        return spans
    }

    // MARK: - Formatting

    /// `2026-05-01T09:30:00.123456Z`: UTC, microseconds (PostgreSQL's precision).
    public static func timestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let wholeSeconds = fraction < 0 ? seconds - 1 : seconds
        let microsecond = fraction < 0 ? fraction + 1_000_000 : fraction
        let (days, secondOfDay) = wholeSeconds.quotientAndRemainder(dividingBy: 86_400)
        let day = secondOfDay < 0 ? days - 1 : days
        let second = secondOfDay < 0 ? secondOfDay + 86_400 : secondOfDay
        let civil = CalendarDay(daysSinceEpoch: Int(day))
        return String(
            format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ld.%06ldZ", civil.year, civil.month, civil.day,
            Int(second / 3600),
            Int(second % 3600 / 60), Int(second % 60), Int(microsecond))
    }
}
