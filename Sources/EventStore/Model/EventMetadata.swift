import Foundation
import JSONNodes
import TextCodecs

/// Who did it and why, stored beside every event.
public struct EventMetadata: Sendable, Hashable, Codable {
    /// The person or system that caused the event (an API key name, an OS user, `generator`).
    public var actor: String?
    /// Groups every event caused by one request or command.
    public var correlationID: UUID?
    /// The event or command that caused this one.
    public var causationID: UUID?
    /// Free-form reason given by the actor.
    public var reason: String?
    /// Anything else worth keeping (string values only).
    public var extra: [String: String]

    public init(
        actor: String? = nil, correlationID: UUID? = nil, causationID: UUID? = nil, reason: String? = nil,
        extra: [String: String] = [:]
    ) {
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.reason = reason
        self.extra = extra
    }

    enum CodingKeys: String, CodingKey {
        case actor
        case correlationID = "correlation_id"
        case causationID = "causation_id"
        case reason
        case extra
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        actor = try container.decodeIfPresent(String.self, forKey: .actor)
        correlationID = try container.decodeIfPresent(UUID.self, forKey: .correlationID)
        causationID = try container.decodeIfPresent(UUID.self, forKey: .causationID)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        extra = try container.decodeIfPresent([String: String].self, forKey: .extra) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(actor, forKey: .actor)
        try container.encodeIfPresent(correlationID, forKey: .correlationID)
        try container.encodeIfPresent(causationID, forKey: .causationID)
        try container.encodeIfPresent(reason, forKey: .reason)
        if !extra.isEmpty { try container.encode(extra, forKey: .extra) }
    }

    /// The JSON object stored beside an event: the members `encode(to:)` writes, keys sorted, written
    /// directly (`JSONEncoder` was ~6 % of a single append's client CPU). `decode` reads it back.
    func jsonData() -> Data {
        var out: [UInt8] = []
        appendJSON(to: &out)
        return Data(out)
    }

    /// Appends `jsonData`'s object to `out`, as UTF-8: no string per member and no `uuidString` (Foundation
    /// formats it with `snprintf`), which were ~11 % of the client CPU of an append of 100 events.
    func appendJSON(to out: inout [UInt8]) {
        var separator = UInt8(ascii: "{")
        func key(_ name: StaticString) {
            out.append(separator)
            separator = UInt8(ascii: ",")
            out.append(UInt8(ascii: "\""))
            JSONString.appendLiteral(name, to: &out)
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        if let actor {
            key("actor")
            JSONString.appendQuoted(actor, to: &out)
        }
        if let causationID {
            key("causation_id")
            out.append(UInt8(ascii: "\""))  // a UUID's text needs no escaping
            out.append(contentsOf: Hex.uuid(causationID, uppercase: true).utf8)
            out.append(UInt8(ascii: "\""))
        }
        if let correlationID {
            key("correlation_id")
            out.append(UInt8(ascii: "\""))  // a UUID's text needs no escaping
            out.append(contentsOf: Hex.uuid(correlationID, uppercase: true).utf8)
            out.append(UInt8(ascii: "\""))
        }
        if !extra.isEmpty {
            key("extra")
            var pairSeparator = UInt8(ascii: "{")
            for (name, value) in extra.sorted(by: { $0.key < $1.key }) {
                out.append(pairSeparator)
                pairSeparator = UInt8(ascii: ",")
                JSONString.appendQuoted(name, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONString.appendQuoted(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        if let reason {
            key("reason")
            JSONString.appendQuoted(reason, to: &out)
        }
        if separator == UInt8(ascii: "{") { out.append(separator) }
        out.append(UInt8(ascii: "}"))
    }

    /// Decodes stored metadata JSON.
    public static func decode(_ data: Data) throws -> EventMetadata {
        try JSONDecoder().decode(EventMetadata.self, from: data)
    }
}
