import Clinic
import Crypto
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Imaging
import NIOCore
import Postgres
import TestSupport
import Testing

@testable import ClinicService
@testable import StippleServer

@Suite("Photos over HTTP: upload, strip, store sealed, read, forget")
struct PhotoRoutesTests {
    static func headers(_ fixture: ServerFixture, _ role: Role, contentType: String) -> HTTPFields {
        var headers = fixture.headers(role)
        headers[.contentType] = contentType
        return headers
    }

    /// Registers a client with a clinical-photos consent.
    static func clientWithConsent(
        _ fixture: ServerFixture, _ client: any TestClientProtocol,
        scopes: [ConsentScope] = [
            .treatment, .clinicalPhotos,
        ]
    ) async throws -> UUID {
        let id = UUID()
        let registered = try await client.execute(
            uri: "/v1/clients", method: .post, headers: fixture.headers(.operator), body: Payloads.client(id))
        try #require(registered.status == .created, "\(registered.text)")
        let consent = try await client.execute(
            uri: "/v1/clients/\(id.uuidString)/consents", method: .post, headers: fixture.headers(.operator),
            body: Payloads.body(
                ConsentSigned(at: Date(), consentID: UUID(), formVersion: "v1", scopes: scopes), dropAt: true))
        try #require(consent.status == .created, "\(consent.text)")
        return id
    }

    static func upload(
        _ client: any TestClientProtocol, _ fixture: ServerFixture, _ id: UUID, _ data: Data,
        contentType: String = "image/jpeg", query: String = "stage=before&angle=top"
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/clients/\(id.uuidString)/photos?\(query)", method: .post,
            headers: headers(fixture, .operator, contentType: contentType), body: ByteBuffer(bytes: data))
    }

    static func photoEvents(_ fixture: ServerFixture, _ id: UUID) async throws -> [PhotoLogged] {
        let events = try await fixture.database.store.readWholeStream(
            try EventStreamName("client-\(id.uuidString.lowercased())"))
        return try events.compactMap { event in
            if case .client(.photoLogged(let logged)) = try ClinicEvent.decode(
                type: event.type, schemaVersion: event.schemaVersion, data: event.data)
            {
                return logged
            }
            return nil
        }
    }

    static func storedRows(_ fixture: ServerFixture) async throws -> Int {
        try await fixture.database.pool.withConnection { connection in
            try await connection.query("SELECT count(*)::bigint FROM client_photos").first?.decode(Int.self, at: 0)
                ?? -1
        }
    }

    @Test(
        "a JPEG with GPS and a camera serial is stored upright and stripped; its hash is the event's; reads are logged")
    func uploadAndRead() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let id = try await Self.clientWithConsent(fixture, client)
                let input = ImageBytes.withMetadata(
                    try SyntheticScalp(width: 400, height: 200, seed: 11).render(as: .jpeg))
                let created = try await Self.upload(client, fixture, id, input)
                #expect(created.status == .created, "\(created.text)")
                let hash = try #require(created.json["contentHash"] as? String)
                #expect(created.json["width"] as? Int == 200)
                #expect(created.json["height"] as? Int == 400)

                let image = try await client.execute(
                    uri: "/v1/clients/\(id.uuidString)/photos/\(hash)", method: .get,
                    headers: fixture.headers(.operator))
                #expect(image.status == .ok)
                #expect(image.headers[.contentType] == "image/jpeg")
                #expect(image.headers[.eTag] == "\"\(hash)\"")
                #expect(image.headers[.cacheControl]?.hasPrefix("private") == true)
                let bytes = Data(image.body.readableBytesView)
                // Parsed by hand: no APP1 (EXIF/XMP), APP13 (IPTC), APP2 (ICC) or COM segment.
                let markers = try ImageBytes.jpegMarkers(bytes).map(\.marker)
                #expect(!markers.contains(0xE1) && !markers.contains(0xED) && !markers.contains(0xFE))
                for secret in ImageBytes.metadataSecrets { #expect(!ImageBytes.contains(bytes, secret), "\(secret)") }
                let dims = try ImageProcessor().dimensions(of: bytes)
                #expect(dims.width == 200 && dims.height == 400)
                let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                #expect(digest == hash)
                let events = try await Self.photoEvents(fixture, id)
                #expect(events.count == 1)
                #expect(events.first?.contentHash == hash)
                #expect(events.first?.sizeBytes == bytes.count)
                #expect(events.first?.width == 200 && events.first?.height == 400)

                let thumbnail = try await client.execute(
                    uri: "/v1/clients/\(id.uuidString)/photos/\(hash)/thumbnail", method: .get,
                    headers: fixture.headers(.operator))
                #expect(thumbnail.status == .ok)
                let thumbDims = try ImageProcessor().dimensions(of: Data(thumbnail.body.readableBytesView))
                #expect(thumbDims.width == 160 && thumbDims.height == 320)

                // The same image again is the same photo: 200, nothing new.
                let again = try await Self.upload(client, fixture, id, input)
                #expect(again.status == .ok)
                #expect(again.json["contentHash"] as? String == hash)
                #expect(try await Self.photoEvents(fixture, id).count == 1)

                let list = try await client.execute(
                    uri: "/v1/clients/\(id.uuidString)/photos", method: .get, headers: fixture.headers(.operator))
                #expect(list.status == .ok)
                let photos = try #require(list.json["photos"] as? [[String: Any]])
                #expect(photos.count == 1)
                #expect(
                    photos.first?["thumbnail"] as? String
                        == "/v1/clients/\(id.uuidString.lowercased())/photos/\(hash)/thumbnail")

                let log = try await AccessLog(pool: fixture.database.pool).entries(
                    subject: "client-\(id.uuidString.lowercased())")
                #expect(Set(log.map(\.action)) == ["photo.read", "photo.thumbnail.read", "photos.list"])
                #expect(log.allSatisfy { $0.actor == "test-operator" })

                // The client's timeline links the photo's entry to its image.
                try await fixture.catchUpProjections()
                let timeline = try await client.execute(
                    uri: "/v1/clients/\(id.uuidString)/timeline", method: .get, headers: fixture.headers(.operator))
                #expect(timeline.status == .ok)
                let entries = try #require(timeline.json["entries"] as? [[String: Any]])
                let photoEntries = entries.filter { $0["kind"] as? String == "photo" }
                #expect(photoEntries.count == 1)
                #expect(
                    photoEntries.first?["photo"] as? String
                        == "/v1/clients/\(id.uuidString.lowercased())/photos/\(hash)")
                #expect(entries.filter { $0["kind"] as? String != "photo" }.allSatisfy { $0["photo"] == nil })
            }
        }
    }

    @Test("bad bodies are 4xx problems naming the body; nothing is stored or appended")
    func badBodies() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let id = try await Self.clientWithConsent(fixture, client)
                let jpeg = try SyntheticScalp(width: 600, height: 400, seed: 3).render(as: .jpeg)
                let png = try SyntheticScalp(width: 60, height: 40).render(as: .png)
                let zip = Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0] + [UInt8](repeating: 0x41, count: 64))
                let huge = Data(count: 30 * 1024 * 1024)
                let cases: [(String, Data, String, HTTPResponse.Status)] = [
                    ("png declared as jpeg", png, "image/jpeg", .unsupportedMediaType),
                    ("truncated jpeg", jpeg.prefix(jpeg.count / 2), "image/jpeg", .unprocessableContent),
                    ("zip", zip, "image/jpeg", .unsupportedMediaType),
                    ("zip declared as zip", zip, "application/zip", .unsupportedMediaType),
                    ("empty", Data(), "image/jpeg", .unsupportedMediaType),
                    ("30 MB", huge, "image/jpeg", .contentTooLarge),
                    ("bomb", ImageBytes.bombPNG(width: 50_000, height: 50_000), "image/png", .unprocessableContent),
                ]
                for (name, body, type, status) in cases {
                    let response = try await Self.upload(client, fixture, id, body, contentType: type)
                    #expect(response.status == status, "\(name): \(response.text)")
                    #expect(response.headers[.contentType] == "application/problem+json", "\(name)")
                    #expect(response.json["field"] as? String == "body", "\(name): \(response.text)")
                }
                let missingStage = try await Self.upload(client, fixture, id, jpeg, query: "angle=top")
                #expect(missingStage.status == .badRequest)
                #expect(missingStage.json["field"] as? String == "stage")
                let badAngle = try await Self.upload(client, fixture, id, jpeg, query: "stage=before&angle=sideways")
                #expect(badAngle.json["field"] as? String == "angle")
                #expect(try await Self.photoEvents(fixture, id).isEmpty)
                #expect(try await Self.storedRows(fixture) == 0)
            }
        }
    }

    @Test("without a consent for its scope the photo is refused (422) and its bytes are not kept")
    func noConsent() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let id = try await Self.clientWithConsent(fixture, client, scopes: [.treatment])
                let jpeg = try SyntheticScalp(width: 100, height: 80).render(as: .jpeg)
                let response = try await Self.upload(client, fixture, id, jpeg)
                #expect(response.status == .unprocessableContent, "\(response.text)")
                #expect(response.json["field"] as? String == "consentScope", "the problem names the consent's field")
                #expect(try await Self.storedRows(fixture) == 0)
                let unknown = try await Self.upload(client, fixture, UUID(), jpeg)
                #expect(unknown.status == .notFound)
            }
        }
    }

    @Test("after a forget the photo routes answer 410, the rows do not open, and pg_dump holds no image bytes")
    func forget() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let id = try await Self.clientWithConsent(fixture, client)
                let jpeg = try SyntheticScalp(width: 320, height: 240, seed: 21).render(as: .jpeg)
                let created = try await Self.upload(client, fixture, id, jpeg)
                let hash = try #require(created.json["contentHash"] as? String)
                let stored = try await client.execute(
                    uri: "/v1/clients/\(id.uuidString)/photos/\(hash)", method: .get,
                    headers: fixture.headers(.operator))
                let plain = Data(stored.body.readableBytesView)
                // A distinctive run from the middle of the entropy-coded data.
                let needle = plain.subdata(in: (plain.count / 2)..<(plain.count / 2 + 24))
                let sealedHead = try await fixture.database.pool.withConnection { connection in
                    let rows = try await connection.query(
                        "SELECT substring(sealed_image from 1 for 24) FROM client_photos")
                    return Data(try rows.first?.decode(Bytea.self, at: 0).bytes ?? [])
                }

                let forgot = try await client.execute(
                    uri: "/v1/clients/\(id.uuidString)/erasures", method: .post, headers: fixture.headers(.operator),
                    body: Payloads.body(ClientForgotten(at: Date(), reason: "GDPR request"), dropAt: true))
                #expect(forgot.status == .created, "\(forgot.text)")
                for path in ["photos/\(hash)", "photos/\(hash)/thumbnail", "photos", "photos/before-after"] {
                    let response = try await client.execute(
                        uri: "/v1/clients/\(id.uuidString)/\(path)", method: .get, headers: fixture.headers(.operator))
                    #expect(response.status == .gone, "\(path): \(response.text)")
                    #expect(response.json["type"] as? String == "https://stipple.dev/problems/forgotten")
                }
                let upload = try await Self.upload(client, fixture, id, jpeg)
                #expect(upload.status == .gone || upload.status == .notFound, "\(upload.text)")

                // The row is still there, but its key is gone: it does not open.
                #expect(try await Self.storedRows(fixture) == 1)
                let subject = "client-\(id.uuidString.lowercased())"
                let row = try #require(
                    try await PhotoStore(pool: fixture.database.pool).blob(
                        subject: subject, contentHash: hash, thumbnail: false))
                let vault = try #require(fixture.database.store.vault)
                await #expect(throws: PersonalDataError.subjectErased(subject: subject)) {
                    _ = try await vault.openBlob(row.blob, subject: subject, label: "\(hash)/image")
                }

                let dump = try await fixture.database.dump()
                let hex = { (data: Data) in data.map { String(format: "%02x", $0) }.joined() }
                // The search finds what is there (the sealed bytes, hex-encoded by COPY) …
                #expect(dump.range(of: Data(hex(sealedHead).utf8)) != nil)
                // … and the image is not, neither raw nor hex-encoded.
                #expect(dump.range(of: needle) == nil)
                #expect(dump.range(of: Data(hex(needle).utf8)) == nil)
            }
        }
    }

    @Test("8 different photos uploaded at once all land; the same photo 8 times at once lands once")
    func concurrentUploads() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let id = try await Self.clientWithConsent(fixture, client)
                let images = try (0..<8).map {
                    try SyntheticScalp(width: 200, height: 150, seed: UInt64(100 + $0)).render()
                }
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for image in images {
                        group.addTask { try await Self.upload(client, fixture, id, image).status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == .created }, "\(statuses)")
                #expect(Set(try await Self.photoEvents(fixture, id).map(\.contentHash)).count == 8)

                let same = try SyntheticScalp(width: 200, height: 150, seed: 999).render()
                let sameStatuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await Self.upload(client, fixture, id, same).status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(sameStatuses.filter { $0 == .created }.count == 1, "\(sameStatuses)")
                #expect(sameStatuses.allSatisfy { $0 == .created || $0 == .ok }, "\(sameStatuses)")
                #expect(try await Self.photoEvents(fixture, id).count == 9)
                #expect(try await Self.storedRows(fixture) == 9)
            }
        }
    }
}
