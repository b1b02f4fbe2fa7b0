import Clinic
import ClinicService
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Imaging
import NIOCore
import Testing

@testable import StippleServer

extension ConsoleBrowser {
    /// Posts a `multipart/form-data` form as a browser does: text fields, then the file part.
    mutating func postMultipart(
        _ uri: String, _ fields: [String: String], file: (name: String, filename: String, type: String, data: Data)?
    ) async throws -> TestResponse {
        let boundary = "----ConsoleTestBoundary\(UUID().uuidString.prefix(8))"
        var body = Data()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.append(
                Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        if let file {
            body.append(
                Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.type)\r\n\r\n"
                        .utf8))
            body.append(file.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return try await postRaw(uri, body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// Posts `body` as it is, with `contentType`.
    mutating func postRaw(_ uri: String, _ body: Data, contentType: String) async throws -> TestResponse {
        var headers = self.headers
        headers[.contentType] = contentType
        let response = try await client.execute(
            uri: uri, method: .post, headers: headers, body: ByteBuffer(data: body))
        absorb(response)
        return response
    }
}

@Suite("The console's photo upload form: the API's upload path, its rules and messages next to the field")
struct ConsolePhotoUploadTests {
    static let facts = ["stage": "before", "angle": "top", "consentScope": "clinical-photos"]

    static func file(_ data: Data, type: String = "image/jpeg", filename: String = "scalp.jpg")
        -> (name: String, filename: String, type: String, data: Data)
    {
        ("photo", filename, type, data)
    }

    /// A client with consents for `scopes`, the projections caught up, an operator signed in: the client's id, page
    /// and the operator's browser.
    static func operatorOnClientPage(
        _ fixture: ServerFixture, _ client: any TestClientProtocol,
        scopes: [ConsentScope] = [.treatment, .clinicalPhotos]
    ) async throws -> (id: UUID, page: String, browser: ConsoleBrowser) {
        let id = try await PhotoRoutesTests.clientWithConsent(fixture, client, scopes: scopes)
        try await fixture.catchUpProjections()
        var browser = ConsoleBrowser(client: client)
        _ = try await browser.signIn(try #require(fixture.keys[.operator]))
        return (id, "/console/clients/\(id.uuidString.lowercased())", browser)
    }

    @Test(
        "an operator uploads a JPEG through the form: it is stored sealed, logged by the console, and its thumbnail is shown"
    )
    func upload() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let signedIn = try await Self.operatorOnClientPage(fixture, client)
                let (id, page) = (signedIn.id, signedIn.page)
                var browser = signedIn.browser
                let form = try await browser.get(page)
                #expect(form.text.contains("enctype=\"multipart/form-data\""))
                #expect(form.text.contains("<label for=\"f-photo\">"))
                #expect(form.text.contains("accept=\"image/jpeg,image/png,image/webp"))
                let csrf = try #require(ConsoleBrowser.csrf(form.text))
                let jpeg = try SyntheticScalp(width: 480, height: 360, seed: 5).render(as: .jpeg)
                var fields = Self.facts
                fields["csrf"] = csrf
                let answer = try await browser.postMultipart(page + "/photos", fields, file: Self.file(jpeg))
                #expect(answer.status == .seeOther, "\(answer.text)")
                let location = try #require(answer.headers[.location])
                #expect(location.hasPrefix(page + "?uploaded="))

                let logged = try #require(try await PhotoRoutesTests.photoEvents(fixture, id).first)
                #expect(logged.stage == .before && logged.angle == .top && logged.width == 480)
                #expect(location.contains(logged.contentHash))
                let events = try await fixture.database.store.readWholeStream(
                    try EventStreamName("client-\(id.uuidString.lowercased())"))
                let metadata = try #require(events.last?.metadataJSON)
                let object = try #require(try JSONSerialization.jsonObject(with: metadata) as? [String: Any])
                #expect(object["actor"] as? String == "test-operator")
                #expect("\(object)".contains("console"), "the console is the door: \(object)")

                let shown = try await browser.get(String(location.prefix { $0 != "#" }))
                let thumbnail = "\(page)/photos/\(logged.contentHash)/thumbnail"
                #expect(shown.text.contains("id=\"uploaded\""))
                #expect(shown.text.contains("src=\"\(thumbnail)\""))
                #expect(shown.text.contains("Stored: before, top view, 480 × 360 px"))
                let image = try await browser.get(thumbnail)
                #expect(image.status == .ok)
                #expect(image.headers[.contentType] == "image/jpeg")
                #expect(image.body.readableBytes > 100)
                try await fixture.catchUpProjections()
                #expect(try await browser.get(page).text.contains("\(page)/photos/\(logged.contentHash)\">view photo"))
            }
        }
    }

    @Test(
        "wrong type, not an image, too large, damaged, no consent and a missing file are shown next to their field with the API's words; nothing is stored"
    )
    func refusals() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let signedIn = try await Self.operatorOnClientPage(fixture, client, scopes: [.treatment])
                let page = signedIn.page
                var browser = signedIn.browser
                let csrf = try #require(ConsoleBrowser.csrf(try await browser.get(page).text))
                let head = try await fixture.database.store.headPosition()
                let jpeg = try SyntheticScalp(width: 200, height: 150, seed: 9).render(as: .jpeg)
                let zip = Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0] + [UInt8](repeating: 0x41, count: 64))
                var fields = Self.facts
                fields["csrf"] = csrf
                let cases:
                    [(
                        String, [String: String], (name: String, filename: String, type: String, data: Data)?,
                        HTTPResponse.Status, String, String
                    )] = [
                        (
                            "a text file", fields, Self.file(Data("hello".utf8), type: "text/plain", filename: "a.txt"),
                            .unsupportedMediaType, "f-photo", "media type &#39;text/plain&#39; is not accepted"
                        ),
                        (
                            "a zip named .jpg", fields, Self.file(zip), .unsupportedMediaType, "f-photo",
                            "the body is not a image/jpeg image"
                        ),
                        (
                            "a truncated JPEG", fields, Self.file(jpeg.prefix(jpeg.count / 2)), .unprocessableContent,
                            "f-photo", "could not be decoded"
                        ),
                        (
                            "30 MB", fields, Self.file(Data(count: 30 * 1024 * 1024)), .contentTooLarge, "f-photo",
                            "over the limit of 26214400 bytes"
                        ),
                        (
                            "no consent", fields, Self.file(jpeg), .unprocessableContent, "f-consentScope",
                            "no clinical-photos consent was valid"
                        ),
                        (
                            "a bad angle", fields.merging(["angle": "sideways"]) { $1 }, Self.file(jpeg), .badRequest,
                            "f-angle", "angle must be one of front"
                        ),
                        (
                            "no file chosen", fields,
                            Self.file(Data(), type: "application/octet-stream", filename: ""), .badRequest, "f-photo",
                            "choose an image file"
                        ),
                    ]
                for (name, fields, file, status, field, words) in cases {
                    let answer = try await browser.postMultipart(page + "/photos", fields, file: file)
                    #expect(answer.status == status, "\(name): \(answer.status)")
                    #expect(answer.text.contains("id=\"\(field)-error\""), "\(name): the error is next to \(field)")
                    #expect(answer.text.contains(words), "\(name): \(words)")
                    #expect(answer.text.contains("enctype=\"multipart/form-data\""), "\(name): the form is shown again")
                }
                #expect(try await fixture.database.store.headPosition() == head)
                #expect(try await PhotoRoutesTests.storedRows(fixture) == 0)
            }
        }
    }

    @Test(
        "a repeated field, an oversized field or image part, a wrong boundary and a form that is not multipart are refused next to their field; nothing is stored"
    )
    func malformedForms() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let signedIn = try await Self.operatorOnClientPage(fixture, client)
                let (id, page) = (signedIn.id, signedIn.page)
                var browser = signedIn.browser
                let csrf = try #require(ConsoleBrowser.csrf(try await browser.get(page).text))
                let head = try await fixture.database.store.headPosition()
                let jpeg = try SyntheticScalp(width: 120, height: 90, seed: 3).render(as: .jpeg)
                let boundary = "----MalformedFormBoundary"
                func form(_ parts: [(name: String, value: Data)], photo: Data = jpeg) -> Data {
                    var body = Data()
                    for part in [("csrf", Data(csrf.utf8))] + parts {
                        body.append(
                            Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.0)\"\r\n\r\n".utf8))
                        body.append(part.1 + Data("\r\n".utf8))
                    }
                    body.append(
                        Data(
                            "--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
                                .utf8))
                    return body + photo + Data("\r\n--\(boundary)--\r\n".utf8)
                }
                let facts = Self.facts.sorted { $0.key < $1.key }.map { ($0.key, Data($0.value.utf8)) }
                let multipart = "multipart/form-data; boundary=\(boundary)"
                let cases: [(String, Data, String, HTTPResponse.Status, String, String)] = [
                    (
                        "stage twice", form(facts + [("stage", Data("healed".utf8))]), multipart, .badRequest,
                        "f-stage", "`stage` is sent more than once"
                    ),
                    (
                        "a 20 KB stage",
                        form([("stage", Data(repeating: 0x61, count: 20 * 1024))] + facts.filter { $0.0 != "stage" }),
                        multipart, .contentTooLarge, "f-stage", "`stage` is over the limit of 16384 bytes"
                    ),
                    (
                        "an image part one byte over the limit, the body within it",
                        form(facts, photo: Data(count: PhotoService.defaultSizeLimit + 1)), multipart,
                        .contentTooLarge, "f-photo", "`photo` is over the limit of 26214400 bytes"
                    ),
                    (
                        "another boundary", form(facts), "multipart/form-data; boundary=not-the-one", .badRequest,
                        "f-photo", "does not start with the boundary the Content-Type names"
                    ),
                    (
                        "no closing delimiter", form(facts).dropLast(Data("--\(boundary)--\r\n".utf8).count), multipart,
                        .badRequest, "f-photo", "the body ends without its closing boundary"
                    ),
                    (
                        "a urlencoded form", Data("csrf=\(csrf)&stage=before".utf8),
                        "application/x-www-form-urlencoded",
                        .unsupportedMediaType, "f-photo", "the upload form is sent as multipart/form-data"
                    ),
                ]
                for (name, body, type, status, field, words) in cases {
                    let answer = try await browser.postRaw(page + "/photos", body, contentType: type)
                    #expect(answer.status == status, "\(name): \(answer.status)")
                    #expect(answer.text.contains("id=\"\(field)-error\""), "\(name): the error is next to \(field)")
                    #expect(
                        answer.text.contains(words.replacingOccurrences(of: "`", with: "&#96;"))
                            || answer.text.contains(words), "\(name): \(words)")
                }
                #expect(try await fixture.database.store.headPosition() == head)
                #expect(try await PhotoRoutesTests.storedRows(fixture) == 0)
                let accepted = try await browser.postRaw(page + "/photos", form(facts), contentType: multipart)
                #expect(accepted.status == .seeOther, "the same form, well formed, is stored: \(accepted.text)")
                #expect(try await PhotoRoutesTests.photoEvents(fixture, id).count == 1)
            }
        }
    }

    @Test("the upload needs the session's CSRF token and an operator: 403 otherwise, nothing stored")
    func csrfAndRole() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let id = try await PhotoRoutesTests.clientWithConsent(fixture, client)
                try await fixture.catchUpProjections()
                let page = "/console/clients/\(id.uuidString.lowercased())"
                let jpeg = try SyntheticScalp(width: 120, height: 90, seed: 2).render(as: .jpeg)
                var operatorBrowser = ConsoleBrowser(client: client)
                _ = try await operatorBrowser.signIn(try #require(fixture.keys[.operator]))
                let missing = try await operatorBrowser.postMultipart(
                    page + "/photos", Self.facts, file: Self.file(jpeg))
                #expect(missing.status == .forbidden)
                #expect(missing.text.contains("security token"))

                var auditor = ConsoleBrowser(client: client)
                _ = try await auditor.signIn(try #require(fixture.keys[.auditor]))
                let auditorPage = try await auditor.get(page)
                #expect(!auditorPage.text.contains("Upload a photo"), "auditors see no upload form")
                var fields = Self.facts
                fields["csrf"] = ConsoleBrowser.csrf(auditorPage.text)
                let refused = try await auditor.postMultipart(page + "/photos", fields, file: Self.file(jpeg))
                #expect(refused.status == .forbidden)
                #expect(refused.text.contains("cannot change anything"))

                var stranger = ConsoleBrowser(client: client)
                let anonymous = try await stranger.postMultipart(page + "/photos", Self.facts, file: Self.file(jpeg))
                #expect(anonymous.status == .seeOther)
                #expect(try await PhotoRoutesTests.storedRows(fixture) == 0)
            }
        }
    }
}
