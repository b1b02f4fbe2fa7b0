import ArgumentParser
import Foundation
import ClinicService

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print it once (only its hash is stored).")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "operator, auditor, integrator or admin.")
        var role: String

        @Option(help: "A name saying who or what uses the key.")
        var name: String

        @Option(help: "For integrators: the categories the key may read, comma-separated (default: all).")
        var categories: String?

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let pool = try database.pool(maximumConnections: 1)
                let store = APIKeyStore(pool: pool)
                let list = categories?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let (key, secret) = try await store.create(
                    name: name, role: Role(rawValue: role) ?? .auditor, categories: list)
                print(secret)
                FileHandle.standardError.write(
                    Data(
                        "Created key \(key.id.uuidString.lowercased()) (\(key.role.rawValue)); it is not shown again.\n"
                            .utf8))
                await pool.close()
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (never their secrets).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reportingErrors {
                let pool = try database.pool(maximumConnections: 1)
                for key in try await APIKeyStore(pool: pool).list() {
                    let state = key.revokedAt.map { "revoked \($0.formatted(.iso8601))" } ?? "active"
                    let scope = key.categories.map { " categories=\($0.joined(separator: ","))" } ?? ""
                    print("\(key.id.uuidString.lowercased())  \(key.role.rawValue)  \(key.name)  \(state)\(scope)")
                }
                await pool.close()
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key by id.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The key's id (from `stipple keys list`).")
        var id: String

        func run() async throws {
            try await reportingErrors {
                guard let uuid = UUID(uuidString: id) else { throw UserError("\(id) is not a key id") }
                let pool = try database.pool(maximumConnections: 1)
                let revoked = try await APIKeyStore(pool: pool).revoke(id: uuid)
                await pool.close()
                guard revoked else { throw UserError("no active key \(id)") }
                print("Revoked \(uuid.uuidString.lowercased())")
            }
        }
    }
}
