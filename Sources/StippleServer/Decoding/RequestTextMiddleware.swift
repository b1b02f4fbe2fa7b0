import Foundation
import Hummingbird

/// Refuses text no route should see, before any route runs: a NUL anywhere in the path, the
/// query or a header (PostgreSQL refuses it as a bound text, SQLSTATE 22021, so it must never
/// reach a statement), a path longer than `maximumPathLength` (414) and over-long query values.
struct RequestTextMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The longest path accepted, in bytes as sent.
    static var maximumPathLength: Int { 2048 }
    /// The longest query parameter value accepted, in characters after percent-decoding.
    static var maximumQueryValueLength: Int { 1000 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        try Self.check(request)
        return try await next(request, context)
    }

    static func check(_ request: Request) throws(Problem) {
        let path = request.uri.path
        guard path.utf8.count <= maximumPathLength else {
            throw Problem(
                .uriTooLong, kind: "uri-too-long", title: "The path is too long",
                detail: "the path is \(path.utf8.count) bytes long; at most \(maximumPathLength) are accepted "
                    + "(ids in paths are at most 200 characters)", field: "(path)")
        }
        if hasNUL(path) || path.removingPercentEncoding.map(hasNUL) == true {
            throw Problem.badRequest("the path must not contain a NUL character (%00)", field: "(path)")
        }
        for (name, value) in request.uri.queryParameters {
            let key = String(name)
            let text = String(value)
            let field = hasNUL(key) ? "(query)" : key
            if hasNUL(key) || hasNUL(text) {
                throw Problem.badRequest(
                    "the query parameter \(field.prefix(100)) must not contain a NUL character (%00)", field: field)
            }
            guard text.unicodeScalars.count <= maximumQueryValueLength else {
                throw Problem.badRequest(
                    "the query parameter \(field.prefix(100)) is \(text.unicodeScalars.count) characters long; "
                        + "at most \(maximumQueryValueLength) are accepted", field: field)
            }
        }
        if let raw = request.uri.query, hasNUL(raw) || raw.lowercased().contains("%00") {
            throw Problem.badRequest("the query must not contain a NUL character (%00)", field: "(query)")
        }
        for field in request.headers where hasNUL(field.value) {
            throw Problem.badRequest(
                "the header \(field.name.rawName) must not contain a NUL character", field: field.name.rawName)
        }
    }

    static func hasNUL(_ text: String) -> Bool {
        text.utf8.contains(0)
    }
}
