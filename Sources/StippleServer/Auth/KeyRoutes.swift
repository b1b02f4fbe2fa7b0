import ClinicService
import Foundation
import Hummingbird

/// Admin routes for API keys: create (the secret is returned once), list, revoke.
struct KeyRoutes {
    let routes: APIRoutes
    let keys: APIKeyStore
    let bodyLimit: Int

    struct CreateBody: Decodable {
        var name: String
        var role: Role
        var categories: [String]?
    }

    func register() {
        let keys = self.keys
        let limit = bodyLimit
        routes.add(.post, "/v1/keys", .manageKeys, summary: "Create an API key", body: "ApiKeyCreate", success: 201) {
            request, _, _ in
            var request = request
            let object = try await RequestDecoding.jsonBody(&request, limit: limit)
            let body = try CommandBody.decode(CreateBody.self, from: object)
            do {
                let (key, secret) = try await keys.create(name: body.name, role: body.role, categories: body.categories)
                var object = try Self.object(key)
                object["key"] = secret
                return try JSONResponse.object(object, status: .created)
            } catch let failure as APIKeyStore.Failure {
                throw Problem.badRequest(failure.description)
            }
        }
        routes.add(.get, "/v1/keys", .manageKeys, summary: "List API keys (never their secrets)") { _, _, _ in
            try JSONResponse.object(["keys": try await keys.list().map(Self.object)])
        }
        routes.add(.delete, "/v1/keys/{id}", .manageKeys, summary: "Revoke an API key", success: 204) {
            _, context, _ in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
                try await keys.revoke(id: id)
            else { throw Problem.notFound("no unrevoked key with that id") }
            return Response(status: .noContent)
        }
    }

    static func object(_ key: APIKey) throws -> [String: Any] {
        guard let object = try QueryRoutes.jsonObject(key) as? [String: Any] else { return [:] }
        return object
    }
}
