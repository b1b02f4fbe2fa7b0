import ClinicService
import EventStore
import Foundation
import JSONNodes
import NIOCore

/// The server's wire forms of stored events: JSON documents holding an `events` array, and
/// server-sent-event frames. Each event is written by `EventLine` with the feed's fields (`data` and
/// `metadata` spliced in as stored, never re-parsed), so the API, the live feed and the webhook
/// bodies carry the same bytes for the same event.
enum EventJSON {
    /// A JSON member's value, already encoded.
    struct Value {
        var json: Data

        static func string(_ text: String) -> Value { Value(json: Data(JSONString.quote(text).utf8)) }
        static func integer(_ number: some BinaryInteger) -> Value { Value(json: Data(String(number).utf8)) }
        static func bool(_ flag: Bool) -> Value { Value(json: Data((flag ? "true" : "false").utf8)) }
        static func events(_ events: [RecordedEvent]) -> Value {
            var out = Data("[".utf8)
            for (index, event) in events.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                EventLine.append(event, .feed, to: &out)
            }
            out.append(UInt8(ascii: "]"))
            return Value(json: out)
        }
    }

    /// A JSON object of `members`, keys sorted as in every other answer of the API.
    static func document(_ members: [String: Value]) -> Data {
        var out = Data("{".utf8)
        for (index, key) in members.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: JSONString.quote(key).utf8)
            out.append(UInt8(ascii: ":"))
            if let value = members[key] { out.append(value.json) }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `id: TOKEN`, `event: TYPE` and `data: JSON` lines and the blank line that ends them.
    static func frame(_ event: RecordedEvent) -> ByteBuffer {
        var json = Data()
        EventLine.append(event, .feed, to: &json)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(json.count + event.type.utf8.count + 40)
        buffer.writeString("id: \(event.checkpoint.token)\nevent: \(event.type)\ndata: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }
}
