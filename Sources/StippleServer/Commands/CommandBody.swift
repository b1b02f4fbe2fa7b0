import Clinic
import Foundation

/// Reads a command's JSON body: an object shaped like the event payload it asks for
/// (camelCase keys, ISO-8601 times); `at` defaults to the server's current time.
enum CommandBody {
    static func object(_ data: Data, now: Date) throws -> [String: Any] {
        guard !data.isEmpty else { throw Problem.badRequest("the body must be a JSON object") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw Problem.badRequest("the body is not valid JSON")
        }
        guard var object = parsed as? [String: Any] else {
            throw Problem.badRequest("the body must be a JSON object")
        }
        if object["at"] == nil || object["at"] is NSNull {
            object["at"] = BusinessTime.iso(now)
        }
        return object
    }

    static func decode<Payload: Decodable>(_ type: Payload.Type, from object: [String: Any]) throws -> Payload {
        let data = try JSONSerialization.data(withJSONObject: object)
        do {
            return try ClinicJSON.makeDecoder().decode(Payload.self, from: data)
        } catch let error as DecodingError {
            throw problem(error)
        }
    }

    /// An optional identifier field outside the payload (e.g. `clientID` on registration).
    static func string(_ key: String, in object: [String: Any]) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw Problem.badRequest("\(key) must be a string", field: key) }
        return text
    }

    static func problem(_ error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .badRequest("\(field) is required", field: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .badRequest("\(field) must not be null (expected \(describe(type)))", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .badRequest("\(field) has the wrong type (expected \(describe(type)))", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return .badRequest("\(field) is invalid: \(context.debugDescription)", field: field)
        @unknown default:
            return .badRequest("the body does not match the command")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "(body)" : text
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        default: "\(type)".hasPrefix("Dictionary") ? "an object" : "\(type)"
        }
    }
}
