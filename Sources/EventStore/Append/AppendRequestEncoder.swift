import Foundation
import JSONNodes
import TextCodecs

/// Writes append requests as the JSON document `stipple_append_batch` takes, and one stream's
/// events as the array the lone append statement and the group statement take.
///
/// Event data is spliced in as it is: it was validated as a JSON object first, and
/// re-encoding megabytes of it would be wasted work.
enum AppendRequestEncoder {
    static func encode(_ requests: [[StreamAppend]]) -> Data {
        var out: [UInt8] = []
        out.append(UInt8(ascii: "["))
        for (requestIndex, request) in requests.enumerated() {
            if requestIndex > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"appends\":[".utf8)
            for (appendIndex, append) in request.enumerated() {
                if appendIndex > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "{\"stream\":".utf8)
                JSONString.appendQuoted(append.stream.rawValue, to: &out)
                out.append(contentsOf: ",\"expected\":\(append.expectedVersion.json),\"events\":".utf8)
                encode(append.events, into: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: "]}".utf8)
        }
        out.append(UInt8(ascii: "]"))
        return Data(out)
    }

    /// The events of one stream as the JSON array both append functions take:
    /// `[{"id", "type", "schema_version", "data", "metadata"}, ...]`.
    static func encode(_ events: [NewEvent]) -> Data {
        var out: [UInt8] = []
        encode(events, into: &out)
        return Data(out)
    }

    /// Written as bytes into one buffer: the temporary arrays and `Data` appends per piece (and the metadata's
    /// strings) were ~28 % of the client CPU of an append of 100 events.
    private static func encode(_ events: [NewEvent], into out: inout [UInt8]) {
        // Grown geometrically: a group's requests are encoded into one buffer one after the other, and an exact
        // `reserveCapacity` per request would copy everything written so far each time.
        let needed = out.count + events.reduce(2) { $0 + $1.data.count + 256 }
        if out.capacity < needed { out.reserveCapacity(max(needed, 2 * out.capacity)) }
        out.append(UInt8(ascii: "["))
        for (eventIndex, event) in events.enumerated() {
            if eventIndex > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "{\"id\":\"".utf8)
            out.append(contentsOf: Hex.uuid(event.id, uppercase: false).utf8)
            out.append(contentsOf: "\",\"type\":".utf8)
            JSONString.appendQuoted(event.type, to: &out)
            out.append(contentsOf: ",\"schema_version\":\(event.schemaVersion),\"data\":".utf8)
            out.append(contentsOf: event.data)
            out.append(contentsOf: ",\"metadata\":".utf8)
            event.metadata.appendJSON(to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }
}

/// The answer of `stipple_append_one` for one request.
struct AppendResponse: Decodable {
    struct StreamResult: Decodable {
        var stream: String
        var version: Int
        var positions: [Int64]
        var duplicate: Bool
    }

    var ok: Bool
    var results: [StreamResult]?
    var error: String?
    var stream: String?
    var actual: Int?
    var eventID: UUID?
    var message: String?
    var sqlstate: String?

    enum CodingKeys: String, CodingKey {
        case ok, results, error, stream, actual, message, sqlstate
        case eventID = "event_id"
    }
}
