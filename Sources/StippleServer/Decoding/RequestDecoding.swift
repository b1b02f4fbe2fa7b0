import Clinic
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The one way a request body becomes a value: every JSON route and the console's forms go through it.
///
/// In order: the media type must be `application/json` (415), the body at most the route's limit
/// (413), strict UTF-8 JSON (400, see `StrictJSON`), every text within `FieldRules` (400), then
/// decoding the parsed tree into the route's type (`JSONValueDecoder`, once), where a mismatch becomes
/// a 400 naming the field and what is allowed (the values of an enumeration, the form of a date, an
/// integer's range) and never a Swift type's name.
public enum RequestDecoding {
    /// Reads and checks a JSON request body.
    public static func jsonBody(_ request: inout Request, limit: Int) async throws -> JSONValue {
        try checkMediaType(request.headers[.contentType])
        let data = try await request.bodyData(limit: limit)
        return try parse(data)
    }

    /// 415 unless `contentType` is `application/json` (parameters such as `charset=utf-8` allowed).
    public static func checkMediaType(_ contentType: String?) throws(Problem) {
        guard let contentType else {
            throw Problem.unsupportedMediaType("send the body as application/json (Content-Type is missing)")
        }
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
        let type = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/json" else {
            throw Problem.unsupportedMediaType("send the body as application/json, not \(type.prefix(100))")
        }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            if pair.first == "charset", pair.count == 2, pair[1] != "utf-8", pair[1] != "\"utf-8\"" {
                throw Problem.unsupportedMediaType("the body must be UTF-8 JSON (charset=utf-8)")
            }
        }
    }

    /// Parses strict JSON and applies `FieldRules`; throws a 400 problem naming what is wrong.
    public static func parse(_ data: some Collection<UInt8>) throws(Problem) -> JSONValue {
        guard !data.isEmpty else { throw Problem.badRequest("the body must be a JSON object", field: "(body)") }
        let value: JSONValue
        do {
            value = try StrictJSON.parse(data)
        } catch {
            throw Problem.badRequest(
                "the body is not strict JSON: \(error.description)", field: error.field ?? "(body)")
        }
        try FieldRules.check(value)
        return value
    }

    /// Decodes `value` into `type` with the clinic's conventions (ISO-8601 times), straight from the parsed
    /// tree: an error names the path of the value it is about.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(Problem) -> T {
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch let error as DecodingError {
            throw problem(error)
        } catch let number as UnrepresentableNumber {
            throw problem(number)
        } catch {
            throw Problem.badRequest("the body does not match the command")
        }
    }

    /// A 400 for a decoding error: the field's path and what it must be.
    public static func problem(_ error: DecodingError) -> Problem {
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
            if let enumeration = AllowedValues.parse(context.debugDescription) {
                let shown = "'\(enumeration.value.prefix(100))'"
                guard let allowed = enumeration.allowed else {
                    return .badRequest("\(field) is not one of the allowed values: \(shown)", field: field)
                }
                return .badRequest(
                    "\(field) must be one of \(allowed.joined(separator: ", ")) (not \(shown))", field: field)
            }
            if context.debugDescription.contains("ISO8601") || context.debugDescription.contains("ISO-8601") {
                return .badRequest("\(field) must be an ISO-8601 time like 2026-01-31T09:30:00Z", field: field)
            }
            if context.debugDescription.hasPrefix("Number ") {
                return .badRequest("\(field) is out of range for its type", field: field)
            }
            return .badRequest("\(field) is invalid: \(context.debugDescription)", field: field)
        @unknown default:
            return .badRequest("the body does not match the command")
        }
    }

    /// A 400 for a number its integer field cannot hold: the field's path and what it may hold.
    static func problem(_ number: UnrepresentableNumber) -> Problem {
        let field = path(number.codingPath)
        let shown = number.text.prefix(40)
        guard number.isWhole else {
            return .badRequest("\(field) must be a whole number (an integer), not \(shown)", field: field)
        }
        return .badRequest(
            "\(field) is out of range for its type: a whole number from \(number.range.min) to \(number.range.max), "
                + "not \(shown)", field: field)
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
        case is Int.Type, is Int64.Type, is Int32.Type, is Int16.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        case is Date.Type: "an ISO-8601 time"
        case is UUID.Type: "a UUID"
        default: "\(type)".hasPrefix("Dictionary") ? "an object" : "\(type)".hasPrefix("Array") ? "an array" : "a value"
        }
    }
}

extension Problem {
    static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(.unsupportedMediaType, kind: "unsupported-media-type", title: "Unsupported media type", detail: detail)
    }
}
