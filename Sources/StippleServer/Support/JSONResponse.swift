import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON bodies in and out: snake-free keys as the domain writes them, ISO-8601 dates.
enum JSONResponse {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        data(try encoder().encode(value), status: status)
    }

    static func data(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json")
        -> Response
    {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }

    /// A JSON object from a dictionary of JSON-compatible values.
    static func object(_ object: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        data(
            try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
            status: status)
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key") ?? .contentType
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed") ?? .contentType
    static let lastEventID = HTTPField.Name("Last-Event-ID") ?? .contentType
    static let accelBuffering = HTTPField.Name("X-Accel-Buffering") ?? .contentType
}

extension Request {
    /// The body, up to `limit` bytes (413 beyond).
    mutating func bodyData(limit: Int) async throws -> Data {
        do {
            let buffer = try await collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw Problem(
                .contentTooLarge, kind: "too-large", title: "The request body is too large",
                detail: "the body is over the limit of \(limit) bytes")
        }
    }

    /// A query parameter.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }
}
