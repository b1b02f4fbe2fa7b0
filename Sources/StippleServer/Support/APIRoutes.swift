import ClinicService
import Foundation
import Hummingbird

/// One registered route: what the OpenAPI document and the auth matrix are built from.
public struct Endpoint: Sendable, Hashable {
    public var method: String
    /// OpenAPI-style path, e.g. `/v1/clients/{id}/payments`.
    public var path: String
    public var permission: Permission
    public var summary: String
    /// Query parameters it reads.
    public var query: [String]
    /// The JSON payload type it takes, if any (documentation only).
    public var body: String?
    /// The status of a successful answer.
    public var success: Int
}

/// Who is calling: the authenticated key, or nobody on a public route.
public struct Caller: Sendable {
    public var key: APIKey?
    public var actor: String { key?.name ?? "anonymous" }
}

/// Registers routes on a router with their permission, and keeps the list for OpenAPI.
///
/// Every non-public route authenticates its bearer key (401) and checks the role (403)
/// before its handler runs; unknown routes stay 404 without looking at the key.
final class APIRoutes: @unchecked Sendable {
    typealias Handler = @Sendable (Request, BasicRequestContext, Caller) async throws -> Response

    let router: Router<BasicRequestContext>
    let keys: APIKeyStore
    private(set) var endpoints: [Endpoint] = []

    init(router: Router<BasicRequestContext>, keys: APIKeyStore) {
        self.router = router
        self.keys = keys
    }

    func add(
        _ method: HTTPRequest.Method, _ path: String, _ permission: Permission, summary: String, query: [String] = [],
        body: String? = nil, success: Int = 200, handler: @escaping Handler
    ) {
        endpoints.append(
            Endpoint(
                method: method.rawValue, path: path, permission: permission, summary: summary, query: query, body: body,
                success: success))
        let keys = self.keys
        router.on(RouterPath(path), method: method) { (request: Request, context: BasicRequestContext) -> Response in
            let caller = try await Self.authorize(request, permission, keys: keys)
            return try await handler(request, context, caller)
        }
    }

    static func authorize(_ request: Request, _ permission: Permission, keys: APIKeyStore) async throws -> Caller {
        guard permission != .public else { return Caller(key: nil) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem.unauthorized
        }
        let secret = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let key = try await keys.authenticate(secret: secret) else { throw Problem.unauthorized }
        RequestRecord.current?.keyName = key.name
        guard key.role.allows(permission) else { throw Problem.forbidden(key.role, permission) }
        return Caller(key: key)
    }
}
