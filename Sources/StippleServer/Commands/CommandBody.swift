import Clinic
import Foundation

/// Reads a command's JSON body through `RequestDecoding`: an object shaped like the event payload
/// it asks for (camelCase keys, ISO-8601 times); `at` defaults to the server's current time.
enum CommandBody {
    static func object(_ data: Data, now: Date) throws -> JSONValue {
        guard case .object(var members) = try RequestDecoding.parse(data) else {
            throw Problem.badRequest("the body must be a JSON object", field: "(body)")
        }
        if let index = members.firstIndex(where: { $0.key == "at" }) {
            if members[index].value == .null { members[index].value = .string(BusinessTime.iso(now)) }
        } else {
            members.append((key: "at", value: .string(BusinessTime.iso(now))))
        }
        return .object(members)
    }

    static func decode<Payload: Decodable>(_ type: Payload.Type, from object: JSONValue) throws -> Payload {
        try RequestDecoding.decode(Payload.self, from: object)
    }

    /// An optional identifier field outside the payload (e.g. `clientID` on registration).
    static func string(_ key: String, in object: JSONValue) throws -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw Problem.badRequest("\(key) must be a string", field: key) }
        return text
    }
}
