import Clinic
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The one way a request body becomes a value: every JSON route and the console's forms go through it.
///
/// In order: the media type must be `application/json` (415), the body at most the route's limit
/// (413), strict UTF-8 JSON (400, see `StrictJSON`), every text within `FieldRules` (400), then
/// decoding into the route's type, where a mismatch becomes a 400 naming the field and what is
/// allowed (the values of an enumeration, the form of a date) and never a Swift type's name.
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

    /// Decodes `value` into `type` with the clinic's conventions (ISO-8601 times).
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(Problem) -> T {
        do {
            return try decoder.decode(T.self, from: value.data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let located = unrepresentableNumber(T.self, in: value)
            {
                throw located
            }
            throw problem(error)
        } catch {
            throw Problem.badRequest("the body does not match the command")
        }
    }

    /// ClinicJSON's conventions, with errors that keep the field's path.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            guard let date = formatter.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be an ISO-8601 time like 2026-01-31T09:30:00Z")
            }
            return date
        }
        return decoder
    }()

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

    /// Foundation's decoder on Linux reports a number its integer type cannot hold (`1.5`, `1e300`) as
    /// "not valid JSON" with no coding path. The body is strict JSON by now, so a number is the cause:
    /// its numbers are set to 0 one by one (those that are not 64-bit integers first, at most 32 decodes
    /// again, so a bad body costs little more than a good one), and the one whose change ends that error
    /// is the field. Nil when none does (then the error is answered as it came).
    static func unrepresentableNumber<T: Decodable>(_ type: T.Type, in value: JSONValue) -> Problem? {
        var numbers: [(path: [JSONValue.PathElement], text: String)] = []
        value.collectNumbers(at: [], into: &numbers, limit: 1_000)
        numbers = Array(
            (numbers.filter { Int64($0.text) == nil } + numbers.filter { Int64($0.text) != nil }).prefix(32))
        var probe = value
        for number in numbers {
            probe = probe.replacing(at: number.path[...], with: .number("0"))
            guard accepts(T.self, probe) else { continue }
            let field = JSONValue.format(number.path)
            let shown = number.text.prefix(40)
            guard let double = Double(number.text), double.rounded() == double else {
                return .badRequest("\(field) must be a whole number (an integer), not \(shown)", field: field)
            }
            // The range is named only where it is known: the field takes both ends of a 64-bit integer.
            let takesInt64 = [Int64.min, Int64.max].allSatisfy {
                accepts(T.self, probe.replacing(at: number.path[...], with: .number("\($0)")))
            }
            guard takesInt64 else {
                return .badRequest("\(field) is out of range for its integer type, not \(shown)", field: field)
            }
            return .badRequest(
                "\(field) is out of range for its type: a whole number from \(Int64.min) to \(Int64.max), "
                    + "not \(shown)", field: field)
        }
        return nil
    }

    /// Whether `value` decodes as `T` or fails for another reason than the path-less one (see above).
    private static func accepts<T: Decodable>(_ type: T.Type, _ value: JSONValue) -> Bool {
        do {
            _ = try decoder.decode(T.self, from: value.data)
            return true
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            return false
        } catch {
            return true
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
