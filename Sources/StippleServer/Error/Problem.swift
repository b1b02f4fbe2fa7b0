import ClinicService
import Foundation
import Hummingbird

/// An RFC 9457 problem detail: the only shape an error leaves the server in.
///
/// `detail` is written for the caller; internals (SQL, stack traces) never go into it.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A short, stable slug, e.g. `rejected`; the `type` URI is built from it.
    public var kind: String
    public var title: String
    public var detail: String
    /// The request field at fault, for 400s.
    public var field: String?
    /// Seconds to wait before retrying (503).
    public var retryAfter: Int?

    public init(
        _ status: HTTPResponse.Status, kind: String, title: String, detail: String, field: String? = nil,
        retryAfter: Int? = nil
    ) {
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.field = field
        self.retryAfter = retryAfter
    }

    /// The JSON body.
    public var body: Data {
        var object: [String: Any] = [
            "type": "https://stipple.dev/problems/\(kind)", "title": title, "status": Int(status.code),
            "detail": detail,
        ]
        if let field { object["field"] = field }
        if let retryAfter { object["retry_after"] = retryAfter }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The response, with `application/problem+json`.
    public func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: body)))
    }
}

extension Problem {
    static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(.badRequest, kind: "bad-request", title: "The request is malformed", detail: detail, field: field)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, kind: "not-found", title: "Not found", detail: detail)
    }

    static let unauthorized = Problem(
        .unauthorized, kind: "unauthorized", title: "Authentication required",
        detail: "send a valid, unrevoked API key as 'Authorization: Bearer KEY'")

    static func forbidden(_ role: Role, _ permission: Permission) -> Problem {
        Problem(
            .forbidden, kind: "forbidden", title: "Not allowed for this role",
            detail: "the \(role.rawValue) role may not \(permission.description)")
    }

    static func rejected(_ detail: String) -> Problem {
        Problem(.unprocessableContent, kind: "rejected", title: "The command was rejected", detail: detail)
    }

    static func conflict(_ detail: String) -> Problem {
        Problem(.conflict, kind: "conflict", title: "Conflict", detail: detail)
    }

    static func unavailable(_ detail: String) -> Problem {
        Problem(
            .serviceUnavailable, kind: "unavailable", title: "Temporarily unavailable", detail: detail, retryAfter: 2)
    }
}

extension ByteBuffer {
    init(data: Data) {
        self.init(bytes: data)
    }
}
