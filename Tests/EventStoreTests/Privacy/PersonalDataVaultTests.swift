import ClinicService
@testable import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// A registration with personal data, in the shape the clinic stores it.
private func registration(name: String, email: String, phone: String, id: UUID = UUID()) -> NewEvent {
    NewEvent(
        id: id, type: "client.registered", schemaVersion: 2,
        json: """
            {"at": "2021-03-04T10:00:00Z", "referralSource": "walk-in",
             "personal": {"fullName": "\(name)", "contact": {"email": "\(email)", "phone": "\(phone)"},
                          "dateOfBirth": "1980-01-02"}}
            """,
        metadata: EventMetadata(actor: "tests"))
}

private func forgotten(reason: String = "GDPR art. 17 request") -> NewEvent {
    NewEvent(
        type: "client.forgotten", json: #"{"at": "2022-01-01T00:00:00Z", "reason": "\#(reason)"}"#,
        metadata: EventMetadata(actor: "tests"))
}

/// The stored `data::text` of every event of `stream`.
private func storedData(_ database: TestDatabase, _ stream: String) async throws -> [String] {
    try await database.pool.withConnection { connection in
        try await connection.query("SELECT data::text FROM events WHERE stream = \(stream) ORDER BY version")
            .map { try $0.decode(String.self, at: 0) }
    }
}

/// The `personal` object of an event's data.
private func personal(_ event: RecordedEvent) throws -> [String: Any] {
    let object = try #require(try JSONSerialization.jsonObject(with: event.data) as? [String: Any])
    return try #require(object["personal"] as? [String: Any])
}

@Suite("personal data vault (crypto-shredding)")
struct PersonalDataVaultTests {
    @Test("personal data is stored sealed, without the plaintext, and reads back as it was written")
    func sealsAndOpens() async throws {
        try await TestDatabase.with { database in
            let client = "client-\(UUID().uuidString.lowercased())"
            try await database.store.append(
                [registration(name: "Odalys Vantongeren", email: "odalys@example.net", phone: "+31 6 5550 1234")],
                to: try StreamName(client), expectedVersion: .noStream)
            let stored = try #require(try await storedData(database, client).first)
            #expect(stored.contains("$sealed"))
            for secret in ["Odalys", "odalys@example.net", "5550 1234", "1980-01-02"] {
                #expect(!stored.contains(secret), "\(secret) is stored in plaintext")
            }
            #expect(stored.contains("walk-in"), "data outside `personal` stays readable")

            let read = try #require(try await database.store.readStream(try StreamName(client)).first)
            let details = try personal(read)
            #expect(details["fullName"] as? String == "Odalys Vantongeren")
            #expect((details["contact"] as? [String: Any])?["email"] as? String == "odalys@example.net")
            let all = try await database.store.readAll(category: "client")
            #expect(all.events.map(\.data) == [read.data])
        }
    }

    @Test("appending the same event again is a no-op: sealing is deterministic")
    func idempotentAppend() async throws {
        try await TestDatabase.with { database in
            let client = try StreamName("client-\(UUID().uuidString.lowercased())")
            let event = registration(name: "Ivo Brandsma", email: "ivo@example.net", phone: "+31 6 1111 2222")
            let first = try await database.store.append([event], to: client, expectedVersion: .noStream)
            let again = try await database.store.append([event], to: client, expectedVersion: .noStream)
            #expect(!first.wasDuplicate)
            #expect(again.wasDuplicate)
            #expect(again.positions == first.positions)
        }
    }

    @Test("other categories, and events without personal data, are stored as given")
    func leavesOtherDataAlone() async throws {
        try await TestDatabase.with { database in
            try await database.store.append(
                [NewEvent(type: "technician.registered", json: #"{"personal": {"fullName": "Tech One"}}"#)],
                to: try StreamName("technician-t1"), expectedVersion: .noStream)
            let client = "client-\(UUID().uuidString.lowercased())"
            try await database.store.append(
                [NewEvent(type: "client.payment-received", json: #"{"amount": 5000}"#)],
                to: try StreamName(client), expectedVersion: .noStream)
            #expect(try await storedData(database, "technician-t1") == [#"{"personal": {"fullName": "Tech One"}}"#])
            #expect(try await storedData(database, client) == [#"{"amount": 5000}"#])
        }
    }

    @Test("forgetting destroys the key in the append's transaction: the data reads as erased, the chain verifies")
    func forgetting() async throws {
        try await TestDatabase.with { database in
            let forgottenClient = "client-\(UUID().uuidString.lowercased())"
            let keptClient = "client-\(UUID().uuidString.lowercased())"
            let registrationID = UUID()
            try await database.store.append(
                [
                    registration(
                        name: "Gwendolyn Achterberg", email: "gwen@example.net", phone: "+31 6 2222 3333",
                        id: registrationID)
                ],
                to: try StreamName(forgottenClient), expectedVersion: .noStream)
            try await database.store.append(
                [registration(name: "Kept Client", email: "kept@example.net", phone: "+31 6 4444 5555")],
                to: try StreamName(keptClient), expectedVersion: .noStream)
            let before = try await storedData(database, forgottenClient)
            // Read once, so the key is cached: a cached key must not outlive its destruction.
            _ = try await database.store.readStream(try StreamName(forgottenClient))

            try await database.store.append(
                [forgotten()], to: try StreamName(forgottenClient), expectedVersion: .exact(0))

            let vault = try #require(database.store.vault)
            let status = try #require(try await vault.keyStatus(subject: forgottenClient))
            #expect(status.destroyedAt != nil)
            #expect(status.destroyedReason == "GDPR art. 17 request")
            #expect(try await vault.keyStatus(subject: keptClient)?.destroyedAt == nil)

            let events = try await database.store.readStream(try StreamName(forgottenClient))
            #expect(try personal(events[0]) as? [String: Bool] == ["erased": true])
            #expect(!String(decoding: events[0].data, as: UTF8.self).contains("Gwendolyn"))
            #expect(String(decoding: events[0].data, as: UTF8.self).contains("walk-in"))
            let kept = try await database.store.readStream(try StreamName(keptClient))
            #expect(try personal(kept[0])["fullName"] as? String == "Kept Client")

            // A fresh store (another process) sees the same.
            let other = EventStore(
                pool: database.pool,
                vault: PersonalDataVault(
                    pool: database.pool, masterKey: try TestDatabase.testMasterKey, policy: ClinicPrivacy.policy))
            #expect(
                try personal(try await other.readStream(try StreamName(forgottenClient))[0]) as? [String: Bool] == [
                    "erased": true
                ])

            // History is untouched and the chain verifies.
            #expect(try await storedData(database, forgottenClient).first == before.first)
            #expect(try await ChainVerifier(pool: database.pool).verify().isIntact)

            // Appending the stored registration again (a seeded demo or an import run twice) is the usual
            // no-op. Once the key is gone only the rest of the event can be compared: the same id with another
            // date is refused.
            let retried = try await database.store.append(
                [
                    registration(
                        name: "Gwendolyn Achterberg", email: "gwen@example.net", phone: "+31 6 2222 3333",
                        id: registrationID)
                ],
                to: try StreamName(forgottenClient), expectedVersion: .any)
            #expect(retried.wasDuplicate)
            #expect(try await storedData(database, forgottenClient).count == 2)
            // An export of the forgotten client (personal data as the erased marker) imported here again: a no-op.
            var exported = registration(name: "x", email: "x", phone: "x", id: registrationID)
            exported.data = Data(
                #"{"at": "2021-03-04T10:00:00Z", "referralSource": "walk-in", "personal": {"erased": true}}"#.utf8)
            #expect(
                try await database.store.append([exported], to: try StreamName(forgottenClient), expectedVersion: .any)
                    .wasDuplicate)
            var redated = registration(
                name: "Gwendolyn Achterberg", email: "gwen@example.net", phone: "+31 6 2222 3333", id: registrationID)
            redated.data = Data(
                String(decoding: redated.data, as: UTF8.self).replacingOccurrences(of: "2021-03-04", with: "2021-03-05")
                    .utf8)
            await #expect(throws: EventStoreError.self) {
                try await database.store.append([redated], to: try StreamName(forgottenClient), expectedVersion: .any)
            }
            #expect(try await storedData(database, forgottenClient).count == 2)

            // No new personal data can be sealed for a forgotten client.
            await #expect(throws: PersonalDataError.subjectErased(subject: forgottenClient)) {
                try await database.store.append(
                    [registration(name: "Again", email: "again@example.net", phone: "1")],
                    to: try StreamName(forgottenClient), expectedVersion: .any)
            }
            // The key row cannot be brought back or deleted.
            await #expect(throws: PostgresError.self) {
                try await database.pool.withConnection { connection in
                    try await connection.execute("DELETE FROM client_keys WHERE subject = \(forgottenClient)")
                }
            }
        }
    }

    @Test(
        "a key destroyed by another process after this one read the client reads as erased at once (the count of destroyed keys moved), in every read"
    )
    func forgottenElsewhere() async throws {
        try await TestDatabase.with { database in
            let client = "client-\(UUID().uuidString.lowercased())"
            let neverKeyed = "client-\(UUID().uuidString.lowercased())"
            try await database.store.append(
                [registration(name: "Ilse Brandsma", email: "ilse@example.net", phone: "+31 6 7777 8888")],
                to: try StreamName(client), expectedVersion: .noStream)
            let vault = try #require(database.store.vault)
            func destroyedCount() async throws -> Int64 {
                try await database.pool.withConnection { connection in
                    try await connection.query("SELECT destroyed FROM client_key_epoch").first?.decode(Int64.self) ?? -1
                }
            }
            func readEverywhere() async throws -> [RecordedEvent] {
                var events = try await database.store.readStream(try StreamName(client))
                events += try await database.store.readAll(category: "client").events
                for try await page in try database.store.pages(limit: 1) { events += page.events }
                return events.filter { $0.stream.rawValue == client }
            }
            // The first read checks the key (and finds the count); the next ones open with the key checked at
            // the same count, without asking again.
            _ = try await readEverywhere()
            let checks = vault.keyChecks
            for event in try await readEverywhere() {
                #expect(try personal(event)["fullName"] as? String == "Ilse Brandsma")
            }
            #expect(vault.keyChecks == checks, "reads at an unchanged count ask for the keys again")
            let before = try await destroyedCount()

            // Another process (its own vault and cache) forgets the client: this store's cache is not told.
            let otherVault = ClinicPrivacy.vault(
                pool: database.pool, masterKey: .success(try TestDatabase.testMasterKey))
            let other = EventStore(pool: database.pool, vault: otherVault)
            try await other.append([forgotten()], to: try StreamName(client), expectedVersion: .exact(0))
            #expect(try await destroyedCount() == before + 1)
            // A subject that never had a key gets a destroyed row, and the count stays (no live key went).
            try await other.append([forgotten()], to: try StreamName(neverKeyed), expectedVersion: .noStream)
            #expect(try await destroyedCount() == before + 1)

            let after = try await readEverywhere().filter { $0.type == "client.registered" }
            #expect(after.count == 3)
            for event in after {
                #expect(try personal(event) as? [String: Bool] == ["erased": true])
                #expect(!String(decoding: event.data, as: UTF8.self).contains("Ilse"))
            }
            #expect(vault.keyChecks > checks)
        }
    }

    @Test("the vault holds at most its capacity of unwrapped keys, and every client still reads back past it")
    func keyCacheIsBounded() async throws {
        try await TestDatabase.with { database in
            let vault = PersonalDataVault(
                pool: database.pool, masterKey: .success(try TestDatabase.testMasterKey), policy: ClinicPrivacy.policy,
                keyCacheCapacity: 2)
            let store = EventStore(pool: database.pool, vault: vault)
            var names: [String: String] = [:]
            for index in 0..<5 {
                let client = "client-\(UUID().uuidString.lowercased())"
                names[client] = "Client Number \(index)"
                try await store.append(
                    [
                        registration(
                            name: "Client Number \(index)", email: "c\(index)@example.net", phone: "+31 6 1\(index)")
                    ],
                    to: try StreamName(client), expectedVersion: .noStream)
                #expect(vault.cachedKeys <= 2, "after sealing client \(index)")
            }
            // Read twice: the second read meets keys the cache dropped meanwhile.
            for _ in 0..<2 {
                let events = try await store.readAll(category: "client").events
                #expect(events.count == 5)
                for event in events {
                    #expect(try personal(event)["fullName"] as? String == names[event.stream.rawValue])
                }
                #expect(vault.cachedKeys <= 2)
            }
            for (client, name) in names {
                let read = try #require(try await store.readStream(try StreamName(client)).first)
                #expect(try personal(read)["fullName"] as? String == name)
            }
            #expect(vault.cachedKeys >= 1)
        }
    }

    @Test("a client forgotten while pages are read: every page read after the erasure reads it as erased")
    func forgottenWhilePaging() async throws {
        try await TestDatabase.with { database in
            let client = "client-\(UUID().uuidString.lowercased())"
            for _ in 0..<4 {
                try await database.store.append(
                    [registration(name: "Maartje Dijkhuis", email: "maartje@example.net", phone: "+31 6 1212 3434")],
                    to: try StreamName(client), expectedVersion: .any)
            }
            let other = EventStore(
                pool: database.pool,
                vault: ClinicPrivacy.vault(pool: database.pool, masterKey: .success(try TestDatabase.testMasterKey)))
            // Read once, so the vault holds the key, checked live at the current count.
            _ = try await database.store.readStream(try StreamName(client))
            var pages: [RecordedEvent] = []
            for try await page in try database.store.pages(limit: 1, category: "client") {
                pages += page.events
                if pages.count == 1 {
                    #expect(try personal(page.events[0])["fullName"] as? String == "Maartje Dijkhuis")
                    try await other.append([forgotten()], to: try StreamName(client), expectedVersion: .exact(3))
                }
            }
            #expect(pages.map(\.version) == [0, 1, 2, 3, 4])
            // The second page was read ahead before the erasure; the third and fourth were read after it.
            for event in pages[2...3] {
                #expect(try personal(event) as? [String: Bool] == ["erased": true])
            }
        }
    }

    @Test(
        "on a database without the count of destroyed keys (migrated below 0022) every read checks the keys, and forgetting erases at once"
    )
    func withoutKeyEpoch() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.migrate(before: 22)
            let client = "client-\(UUID().uuidString.lowercased())"
            try await database.store.append(
                [registration(name: "Teun Hazelhoff", email: "teun@example.net", phone: "+31 6 9090 8080")],
                to: try StreamName(client), expectedVersion: .noStream)
            let vault = try #require(database.store.vault)
            for round in 1...2 {
                let checks = vault.keyChecks
                let events = try await database.store.readStream(try StreamName(client))
                #expect(try personal(events[0])["fullName"] as? String == "Teun Hazelhoff")
                #expect(vault.keyChecks == checks + 1, "read \(round) did not check the key")
            }
            try await database.store.append([forgotten()], to: try StreamName(client), expectedVersion: .exact(0))
            let events = try await database.store.readStream(try StreamName(client))
            #expect(try personal(events[0]) as? [String: Bool] == ["erased": true])

            // Migrated further while this store runs: it goes on reading as before, a new one with the count.
            let applied = try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: database.pool)
            #expect(applied.map(\.version).contains(22))
            #expect(
                try personal(try await database.store.readStream(try StreamName(client))[0]) as? [String: Bool] == [
                    "erased": true
                ])
            let fresh = EventStore(
                pool: database.pool,
                vault: ClinicPrivacy.vault(pool: database.pool, masterKey: .success(try TestDatabase.testMasterKey)))
            #expect(
                try personal(try await fresh.readStream(try StreamName(client))[0]) as? [String: Bool] == [
                    "erased": true
                ])
        }
    }

    @Test("a client forgotten before any personal data was sealed never gets a key")
    func forgottenWithoutKey() async throws {
        try await TestDatabase.with { database in
            let client = "client-\(UUID().uuidString.lowercased())"
            try await database.store.append([forgotten()], to: try StreamName(client), expectedVersion: .noStream)
            #expect(try await database.store.vault?.keyStatus(subject: client)?.destroyedAt != nil)
            await #expect(throws: PersonalDataError.subjectErased(subject: client)) {
                try await database.store.append(
                    [registration(name: "Late", email: "late@example.net", phone: "1")],
                    to: try StreamName(client), expectedVersion: .any)
            }
        }
    }

    @Test("without a master key, personal data is neither written nor read, with an error that says what to set")
    func missingMasterKey() async throws {
        try await TestDatabase.with { database in
            let client = try StreamName("client-\(UUID().uuidString.lowercased())")
            try await database.store.append(
                [registration(name: "Sealed Person", email: "sealed@example.net", phone: "2")], to: client,
                expectedVersion: .noStream)
            let keyless = EventStore(
                pool: database.pool,
                vault: PersonalDataVault(pool: database.pool, masterKey: nil, policy: ClinicPrivacy.policy))
            await #expect(throws: PersonalDataError.masterKeyMissing) {
                try await keyless.readStream(client)
            }
            await #expect(throws: PersonalDataError.masterKeyMissing) {
                try await keyless.append(
                    [registration(name: "New Person", email: "new@example.net", phone: "3")],
                    to: try StreamName("client-\(UUID().uuidString.lowercased())"), expectedVersion: .noStream)
            }
            #expect(
                PersonalDataError.masterKeyMissing.description.hasPrefix(
                    "personal data is encrypted; set STIPPLE_MASTER_KEY_FILE"))
            // Events without personal data need no key.
            try await keyless.append(
                [NewEvent(type: "client.payment-received", json: #"{"amount": 1}"#)], to: client,
                expectedVersion: .exact(0))
            // A forgotten client's data reads as erased without the master key.
            try await database.store.append([forgotten()], to: client, expectedVersion: .exact(1))
            #expect(try personal(try await keyless.readStream(client)[0]) as? [String: Bool] == ["erased": true])
        }
    }

    @Test("a wrong master key is refused with a clear error, for reading and for making new keys")
    func wrongMasterKey() async throws {
        try await TestDatabase.with { database in
            let client = try StreamName("client-\(UUID().uuidString.lowercased())")
            try await database.store.append(
                [registration(name: "Right Key", email: "right@example.net", phone: "4")], to: client,
                expectedVersion: .noStream)
            let wrong = EventStore(
                pool: database.pool,
                vault: PersonalDataVault(
                    pool: database.pool, masterKey: MasterKey.generate(), policy: ClinicPrivacy.policy))
            await #expect(throws: PersonalDataError.wrongMasterKey) { try await wrong.readStream(client) }
            await #expect(throws: PersonalDataError.wrongMasterKey) {
                try await wrong.append(
                    [registration(name: "Other", email: "other@example.net", phone: "5")],
                    to: try StreamName("client-\(UUID().uuidString.lowercased())"), expectedVersion: .noStream)
            }
            #expect(PersonalDataError.wrongMasterKey.description.contains("AES-GCM authentication failed"))
        }
    }

    @Test("a sealed value edited in the database, or moved to another client, fails to open instead of reading garbage")
    func tamperedEnvelope() async throws {
        try await TestDatabase.with { database in
            let first = "client-\(UUID().uuidString.lowercased())"
            let second = "client-\(UUID().uuidString.lowercased())"
            try await database.store.append(
                [registration(name: "First", email: "first@example.net", phone: "6")], to: try StreamName(first),
                expectedVersion: .noStream)
            try await database.store.append(
                [registration(name: "Second", email: "second@example.net", phone: "7")], to: try StreamName(second),
                expectedVersion: .noStream)
            try await database.pool.withConnection { connection in
                try await connection.execute("ALTER TABLE events DISABLE TRIGGER USER")
                // Move the first client's sealed data into the second client's event.
                try await connection.execute(
                    """
                    UPDATE events SET data = (SELECT data FROM events WHERE stream = \(first)) WHERE stream = \(second)
                    """)
                try await connection.execute("ALTER TABLE events ENABLE TRIGGER USER")
            }
            await #expect(throws: PersonalDataError.self) {
                try await database.store.readStream(try StreamName(second))
            }
        }
    }
}

@Suite("master key")
struct MasterKeyTests {
    @Test("a key is read as hex or base64, and anything else is refused saying what is expected")
    func formats() throws {
        let key = MasterKey.generate()
        let fromBase64 = try MasterKey(text: key.base64 + "\n", source: "test")
        #expect(fromBase64.base64 == key.base64)
        let hex = Data(base64Encoded: key.base64).map { $0.map { String(format: "%02x", $0) }.joined() } ?? ""
        #expect(try MasterKey(text: hex, source: "test").base64 == key.base64)
        #expect(throws: PersonalDataError.self) { try MasterKey(text: "c2hvcnQ=", source: "test") }
        #expect(throws: PersonalDataError.self) { try MasterKey(text: "not a key!", source: "test") }
        do {
            _ = try MasterKey(text: "c2hvcnQ=", source: "k.txt")
            Issue.record("a 5-byte key was accepted")
        } catch {
            #expect(error.description.contains("32 random bytes"))
        }
    }

    @Test("the environment: the file wins, a missing file is a clear error, nothing set is nil")
    func environment() throws {
        #expect(try MasterKey.fromEnvironment([:]) == nil)
        let missing = "/no/such/dir/master.key"
        #expect(throws: PersonalDataError.masterKeyFileUnreadable(path: missing, reason: "no such file")) {
            try MasterKey.fromEnvironment([MasterKey.fileVariable: missing, MasterKey.valueVariable: "x"])
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stipple-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("master.key").path
        let written = try MasterKey.writeNewFile(at: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try MasterKey.fromEnvironment([MasterKey.fileVariable: path])?.base64 == written.base64)
        #expect(throws: PersonalDataError.self) { try MasterKey.writeNewFile(at: path) }
    }
}
