import EventStore
import Foundation
import TestSupport
import Testing

/// Two clients with distinctive personal data, written as the command side stores them.
private enum PrivacyClinic {
    static let forgotten = "00000000-0000-4000-8000-00000000f001"
    static let kept = "00000000-0000-4000-8000-00000000f002"
    /// Name, email and phone of the client who will be forgotten.
    static let forgottenSecrets = ["Zephyrine Quillfeather", "zephyrine.quillfeather@example.org", "+44 7700 918273"]
    /// Name, email and phone of the client who stays.
    static let keptSecrets = ["Bartholomew Oakenshaw", "b.oakenshaw@example.org", "+44 7700 445566"]
    static let medicalNote = "Takes warfarin-xyzzy daily"

    static func write(_ database: TestDatabase) async throws {
        for (id, secrets) in [(forgotten, forgottenSecrets), (kept, keptSecrets)] {
            let registered = """
                {"at":"2024-01-10T09:00:00Z","referralSource":"instagram","personal":{"fullName":"\(secrets[0])",\
                "contact":{"email":"\(secrets[1])","phone":"\(secrets[2])"},"dateOfBirth":"1979-08-21"}}
                """
            let screening = """
                {"at":"2024-01-11T09:00:00Z","fitzpatrick":"III","hairLoss":{"scale":"norwood","stage":5},\
                "scalpOiliness":"normal","contraindications":[],"personal":{"currentMedications":["warfarin"],"medicalNotes":"\(medicalNote)"}}
                """
            let payment =
                #"{"at":"2024-01-12T09:00:00Z","paymentID":"\#(UUID().uuidString.lowercased())","amount":{"minorUnits":42424,"currency":"USD"},"method":"card","purpose":"consultation"}"#
            try await database.store.append(
                [
                    NewEvent(type: "client.registered", schemaVersion: 2, json: registered),
                    NewEvent(type: "client.medical-screening-recorded", schemaVersion: 1, json: screening),
                    NewEvent(type: "client.payment-received", schemaVersion: 1, json: payment),
                ],
                to: try EventStreamName("client-\(id)"), expectedVersion: .noStream)
        }
    }

    static func run(_ database: TestDatabase, _ arguments: [String], environment: [String: String] = [:])
        async throws -> CLIRun
    {
        try await CLIRunner.run(
            arguments + ["--database-url", database.configuration.connectionString], environment: environment)
    }

    /// A plain-text dump of the whole test database, as `pg_dump` writes it.
    static func pgDump(_ database: TestDatabase) async throws -> String {
        String(decoding: try await database.dump(), as: UTF8.self)
    }
}

@Suite("stipple forget and the master key")
struct PrivacyCommandTests {
    @Test("after forget, neither pg_dump nor export holds the client's name, email or phone; the chain verifies")
    func forgetErasesEverywhere() async throws {
        try await TestDatabase.with { database in
            try await PrivacyClinic.write(database)
            let secrets = PrivacyClinic.forgottenSecrets + PrivacyClinic.keptSecrets + [PrivacyClinic.medicalNote]

            // Sealed from the start: the database never holds anyone's personal data in plaintext.
            let dumpBefore = try await PrivacyClinic.pgDump(database)
            #expect(dumpBefore.contains("client-\(PrivacyClinic.forgotten)"), "the dump is of the right database")
            #expect(dumpBefore.contains("$sealed"))
            for secret in secrets { #expect(!dumpBefore.contains(secret), "\(secret) is in the dump") }

            // The read models are built and hold the client's name before the forget.
            let shown = try await PrivacyClinic.run(database, ["timeline", PrivacyClinic.forgotten])
            #expect(shown.standardOutput.contains(PrivacyClinic.forgottenSecrets[0]), "\(shown.standardError)")

            let forget = try await PrivacyClinic.run(
                database, ["forget", PrivacyClinic.forgotten, "--reason", "GDPR art. 17 request"])
            #expect(forget.exitCode == 0, "\(forget.standardError)")
            #expect(forget.standardOutput.contains("forgot client \(PrivacyClinic.forgotten) at position 7"))
            #expect(forget.standardOutput.contains("key destroyed at "))

            let verify = try await PrivacyClinic.run(database, ["audit", "verify"])
            #expect(verify.exitCode == 0, "\(verify.standardOutput) \(verify.standardError)")
            #expect(verify.standardOutput.hasPrefix("7 events verified"))

            let dump = try await PrivacyClinic.pgDump(database)
            #expect(dump.contains("client.forgotten"))
            #expect(dump.contains(PrivacyClinic.keptSecrets[0]), "the dump holds the read models, with live names")
            #expect(dump.contains("GDPR art. 17 request"), "the key table records why")
            for secret in PrivacyClinic.forgottenSecrets {
                #expect(!dump.contains(secret), "\(secret) is in the dump after forget")
            }

            let export = try await PrivacyClinic.run(database, ["export"])
            #expect(export.exitCode == 0, "\(export.standardError)")
            for secret in PrivacyClinic.forgottenSecrets {
                #expect(!export.standardOutput.contains(secret), "\(secret) of the forgotten client is exported")
            }
            // The client who was not forgotten is exported readable: the search above can fail.
            for secret in PrivacyClinic.keptSecrets + [PrivacyClinic.medicalNote] {
                #expect(export.standardOutput.contains(secret), "\(secret) of the kept client is not exported")
            }
            let forgottenLines = export.standardOutput.split(separator: "\n").filter {
                $0.contains("client-\(PrivacyClinic.forgotten)")
            }
            #expect(forgottenLines.count == 4)
            // Treatment facts remain: dates, amounts; personal parts read as erased.
            #expect(forgottenLines[0].contains(#""personal": {"erased": true}"#))
            #expect(forgottenLines[0].contains("instagram"))
            #expect(forgottenLines[1].contains(#""personal": {"erased": true}"#))
            #expect(forgottenLines[2].contains("42424"))
            #expect(forgottenLines[2].contains("2024-01-12T09:00:00Z"))

            // Projections show the client as erased, also when rebuilt from the events.
            for arguments in [
                ["timeline", PrivacyClinic.forgotten], ["rebuild"], ["timeline", PrivacyClinic.forgotten],
            ] {
                let run = try await PrivacyClinic.run(database, arguments)
                #expect(run.exitCode == 0, "\(arguments): \(run.standardError)")
                if arguments[0] == "timeline" {
                    #expect(run.standardOutput.contains("(erased at the client's request)"))
                    for secret in PrivacyClinic.forgottenSecrets { #expect(!run.standardOutput.contains(secret)) }
                }
            }
            let kept = try await PrivacyClinic.run(database, ["timeline", PrivacyClinic.kept])
            #expect(kept.standardOutput.contains(PrivacyClinic.keptSecrets[0]), "\(kept.standardOutput)")

            // The read models hold live clients' names (derived, rebuildable data), never the forgotten one's:
            // a dump that includes them finds the kept client's name, so the search for the other one can fail.
            let projected = try await PrivacyClinic.pgDump(database)
            #expect(projected.contains(PrivacyClinic.keptSecrets[0]), "the dump holds the projections")
            for secret in PrivacyClinic.forgottenSecrets {
                #expect(!projected.contains(secret), "\(secret) is in the dump with projections")
            }

            // Export and import round trip: the target seals with its own keys, forgotten stays erased.
            try await TestDatabase.with { target in
                let run = try await CLIRunner.run(
                    ["import", "-", "--database-url", target.configuration.connectionString],
                    input: export.standardOutput)
                #expect(run.exitCode == 0, "\(run.standardError)")
                let again = try await PrivacyClinic.run(target, ["export"])
                #expect(again.standardOutput.contains(PrivacyClinic.keptSecrets[1]))
                for secret in PrivacyClinic.forgottenSecrets { #expect(!again.standardOutput.contains(secret)) }
                #expect(try await target.eventsFingerprint() == database.eventsFingerprint())
                let targetDump = try await PrivacyClinic.pgDump(target)
                for secret in secrets { #expect(!targetDump.contains(secret), "\(secret) is in the target's dump") }
            }

            // Forgetting twice is refused by the domain; an unknown client is named.
            let twice = try await PrivacyClinic.run(database, ["forget", PrivacyClinic.forgotten, "--reason", "again"])
            #expect(twice.exitCode == 1)
            #expect(twice.standardError.hasPrefix("stipple: error: not forgotten: "), "\(twice.standardError)")
            let unknown = try await PrivacyClinic.run(
                database, ["forget", "00000000-0000-4000-8000-0000000000ff", "--reason", "x"])
            #expect(unknown.exitCode == 1)
            #expect(unknown.standardError.contains("no client 00000000-0000-4000-8000-0000000000ff"))
        }
    }

    @Test("a missing master key file, no master key and a wrong master key are each one clear error line")
    func masterKeyErrors() async throws {
        try await TestDatabase.with { database in
            try await PrivacyClinic.write(database)
            let missingFile = "/no/such/dir/master.key"
            let cases: [([String: String], String)] = [
                (
                    [MasterKey.fileVariable: missingFile],
                    "cannot read the master key file \(missingFile) (STIPPLE_MASTER_KEY_FILE): no such file"
                ),
                ([MasterKey.valueVariable: ""], "personal data is encrypted; set STIPPLE_MASTER_KEY_FILE"),
                ([MasterKey.valueVariable: MasterKey.generate().base64], "the master key does not match"),
                ([MasterKey.valueVariable: "too-short"], "is not usable"),
            ]
            for (environment, message) in cases {
                for arguments in [["export"], ["timeline", PrivacyClinic.kept]] {
                    let run = try await PrivacyClinic.run(database, arguments, environment: environment)
                    #expect(run.exitCode == 1, "\(arguments) \(environment)")
                    #expect(run.standardError.hasPrefix("stipple: error: "), "\(run.standardError)")
                    #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
                    #expect(run.standardError.split(separator: "\n").count == 1)
                    for secret in PrivacyClinic.keptSecrets { #expect(!run.standardOutput.contains(secret)) }
                }
            }
            // --master-key-file wins over the environment.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "stipple-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("master.key").path
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try (TestDatabase.testMasterKeyText + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let withFile = try await PrivacyClinic.run(
                database, ["export", "--master-key-file", path], environment: [MasterKey.valueVariable: ""])
            #expect(withFile.exitCode == 0, "\(withFile.standardError)")
            #expect(withFile.standardOutput.contains(PrivacyClinic.keptSecrets[0]))
        }
    }
}

@Suite("stipple audit retention")
struct RetentionCommandTests {
    static let past = "00000000-0000-4000-8000-00000000e001"
    static let notPast = "00000000-0000-4000-8000-00000000e002"
    static let untreated = "00000000-0000-4000-8000-00000000e003"
    static let erased = "00000000-0000-4000-8000-00000000e004"

    private static func registered(_ at: String) -> (String, Int, String) {
        (
            "client.registered", 2,
            #"{"at":"\#(at)","personal":{"fullName":"R","contact":{},"dateOfBirth":"1970-01-01"}}"#
        )
    }

    private static let treatment =
        #""locationID":"LDN","technicianID":"T-01","treatment":{"areasTreated":["crown"],"needleConfiguration":"1RL","pigment":{"product":"Ink","batchNumber":"DB-1","batchExpiresOn":"2030-01-31","dilution":"30%"},"dotDensity":0.7,"durationMinutes":180,"anaesthetic":"none"}"#

    private static func session(_ at: String) -> (String, Int, String) {
        (
            "client.session-performed", 1,
            #"{"at":"\#(at)","appointmentID":"\#(UUID().uuidString.lowercased())","sessionNumber":1,\#(treatment)}"#
        )
    }

    private static func touchUp(_ at: String) -> (String, Int, String) {
        (
            "client.touch-up-performed", 1,
            #"{"at":"\#(at)","appointmentID":"\#(UUID().uuidString.lowercased())",\#(treatment)}"#
        )
    }

    /// A fixed history; with 10 years as of 2026-06-01: `past` (treated 2014) and `untreated` (last seen 2013)
    /// are past, `notPast` (touch-up 2020) is not, `erased` (treated 2013, forgotten 2019) is past and erased.
    static func write(_ database: TestDatabase) async throws {
        let histories: [(String, [(String, Int, String)])] = [
            (past, [registered("2012-01-10T09:00:00Z"), session("2014-03-01T09:00:00Z")]),
            (
                notPast,
                [registered("2012-01-10T09:00:00Z"), session("2014-03-01T09:00:00Z"), touchUp("2020-05-01T09:00:00Z")]
            ),
            (untreated, [registered("2013-05-05T09:00:00Z")]),
            (
                erased,
                [
                    registered("2012-02-02T09:00:00Z"), session("2013-01-15T09:00:00Z"),
                    ("client.forgotten", 1, #"{"at":"2019-01-01T00:00:00Z","reason":"asked"}"#),
                ]
            ),
        ]
        for (client, events) in histories {
            try await database.store.append(
                events.map { NewEvent(type: $0.0, schemaVersion: $0.1, json: $0.2) },
                to: try EventStreamName("client-\(client)"), expectedVersion: .noStream)
        }
    }

    private func rows(_ run: CLIRun) -> [String: [String]] {
        var rows: [String: [String]] = [:]
        for line in run.standardOutput.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",").map(String.init)
            if let id = cells.first { rows[id] = cells }
        }
        return rows
    }

    @Test("lists the clients past 10 years after their last treatment (or last activity), deleting nothing")
    func listsClientsPastRetention() async throws {
        try await TestDatabase.with { database in
            try await Self.write(database)
            let before = try await database.eventsFingerprint()
            let table = try await PrivacyClinic.run(database, ["audit", "retention", "--as-of", "2026-06-01"])
            #expect(table.exitCode == 0, "\(table.standardError)")
            #expect(
                table.standardOutput.hasPrefix(
                    "retention: 10 years after the last treatment (the default); as of 2026-06-01: 3 of 4 clients past it"
                ),
                "\(table.standardOutput)")
            #expect(table.standardOutput.contains(Self.past))
            #expect(!table.standardOutput.contains(Self.notPast))

            let csv = rows(
                try await PrivacyClinic.run(
                    database, ["audit", "retention", "--as-of", "2026-06-01", "--format", "csv"]))
            #expect(Set(csv.keys) == [Self.past, Self.untreated, Self.erased])
            #expect(csv[Self.past] == [Self.past, "2014-03-01", "12.3", "2024-03-01", "yes", "no"])
            #expect(
                csv[Self.untreated] == [
                    Self.untreated, "none (last activity 2013-05-05)", "13.1", "2023-05-05", "yes", "no",
                ])
            #expect(csv[Self.erased]?[1] == "2013-01-15")
            #expect(csv[Self.erased]?.last == "yes")

            let all = rows(
                try await PrivacyClinic.run(
                    database, ["audit", "retention", "--as-of", "2026-06-01", "--all", "--format", "csv"]))
            #expect(all[Self.notPast] == [Self.notPast, "2020-05-01", "6.1", "2030-05-01", "no", "no"])

            // A shorter period given for one listing catches the touched-up client too.
            let short = rows(
                try await PrivacyClinic.run(
                    database, ["audit", "retention", "--years", "5", "--as-of", "2026-06-01", "--format", "csv"]))
            #expect(short.count == 4)
            #expect(try await database.eventsFingerprint() == before, "retention deletes nothing")
        }
    }

    @Test("the clinic's period is recorded in the log and used until changed; --years overrides it once")
    func configuredPeriod() async throws {
        try await TestDatabase.with { database in
            try await Self.write(database)
            let set = try await PrivacyClinic.run(
                database,
                ["audit", "retention", "--set-years", "13", "--reason", "regional rule", "--as-of", "2026-06-01"])
            #expect(set.exitCode == 0, "\(set.standardError)")
            #expect(
                set.standardOutput.contains("retention: 13 years after the last treatment (the clinic's setting since"))
            #expect(set.standardOutput.contains("2 of 4 clients past it"), "\(set.standardOutput)")
            let later = rows(
                try await PrivacyClinic.run(
                    database, ["audit", "retention", "--as-of", "2026-06-01", "--format", "csv"]))
            #expect(Set(later.keys) == [Self.untreated, Self.erased])
            let override = rows(
                try await PrivacyClinic.run(
                    database, ["audit", "retention", "--years", "10", "--as-of", "2026-06-01", "--format", "csv"]))
            #expect(override.count == 3)
            let bad = try await PrivacyClinic.run(database, ["audit", "retention", "--years", "0"])
            #expect(bad.exitCode != 0)
        }
    }
}
