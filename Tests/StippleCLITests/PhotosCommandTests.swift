import Crypto
import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("stipple photos add/list/get and export/import --photos")
struct PhotosCommandTests {
    static let client = "00000000-0000-4000-8000-0000000fa001"

    static func run(_ database: TestDatabase, _ arguments: [String]) async throws -> CLIRun {
        try await CLIRunner.run(arguments + ["--database-url", database.configuration.connectionString])
    }

    /// A registered client with a clinical-photos consent, as the command side stores them.
    static func writeClient(_ database: TestDatabase) async throws {
        let registered = """
            {"at":"2024-01-10T09:00:00Z","referralSource":"instagram","personal":{"fullName":"Photo Client",\
            "contact":{"email":"photo@example.org"},"dateOfBirth":"1980-02-03"}}
            """
        let consent = """
            {"at":"2024-01-10T09:05:00Z","consentID":"\(UUID().uuidString.lowercased())","formVersion":"v1",\
            "scopes":["treatment","clinical-photos"]}
            """
        try await database.store.append(
            [
                NewEvent(type: "client.registered", schemaVersion: 2, json: registered),
                NewEvent(type: "client.consent-signed", schemaVersion: 1, json: consent),
            ],
            to: try EventStreamName("client-\(client)"), expectedVersion: .noStream)
    }

    @Test("a file added from the command line is stored stripped, exported decrypted and restored by import")
    func addExportImport() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stipple-photos-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("scalp.jpg").path
        let synth = try await CLIRunner.run(["photos", "synth", image, "--width", "300", "--height", "200"])
        try #require(synth.exitCode == 0, "\(synth.standardError)")

        try await TestDatabase.with { source in
            try await Self.writeClient(source)
            let added = try await Self.run(
                source, ["photos", "add", Self.client, image, "--stage", "before", "--angle", "top"])
            try #require(added.exitCode == 0, "\(added.standardError)")
            let hash = try #require(
                added.standardOutput.split(separator: " ").dropFirst(2).first.map(String.init))
            #expect(hash.count == 64)
            let again = try await Self.run(
                source, ["photos", "add", Self.client, image, "--stage", "before", "--angle", "top"])
            #expect(again.standardOutput.hasPrefix("already stored as \(hash)"), "\(again.standardOutput)")

            let listed = try await Self.run(source, ["photos", "list", Self.client, "--format", "csv"])
            #expect(listed.exitCode == 0)
            #expect(listed.standardOutput.contains(hash))

            let lines = folder.appendingPathComponent("client.jsonl").path
            let photos = folder.appendingPathComponent("photos").path
            let exported = try await Self.run(
                source, ["export", "--stream", "client-\(Self.client)", "--output", lines, "--photos", photos])
            try #require(exported.exitCode == 0, "\(exported.standardError)")
            let file = folder.appendingPathComponent("photos/client-\(Self.client)/\(hash).jpg")
            let bytes = try Data(contentsOf: file)
            #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == hash)

            try await TestDatabase.with { target in
                let imported = try await Self.run(target, ["import", lines, "--photos", photos])
                try #require(imported.exitCode == 0, "\(imported.standardError)")
                #expect(imported.standardOutput.contains("restored 1 photos"), "\(imported.standardOutput)")
                let out = folder.appendingPathComponent("restored.jpg").path
                let fetched = try await Self.run(target, ["photos", "get", Self.client, hash, "-o", out])
                try #require(fetched.exitCode == 0, "\(fetched.standardError)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == bytes)
                // Restored under the target's own key: the sealed bytes differ from the source's.
                let sealed = { (database: TestDatabase) in
                    try await database.pool.withConnection { connection in
                        try await connection.query("SELECT sealed_image FROM client_photos").first?.decode(
                            Bytea.self, at: 0)
                    }
                }
                #expect(try await sealed(source) != sealed(target))
            }
        }
    }
}
