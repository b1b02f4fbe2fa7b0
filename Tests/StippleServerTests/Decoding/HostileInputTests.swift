import Clinic
import ClinicService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import Testing

@testable import StippleServer

/// Hostile and buggy requests against every command route: each is a 4xx problem naming what is
/// wrong, and the log holds exactly the events it held before.
@Suite("Hostile input is refused at the edge, and nothing is written")
struct HostileInputTests {
    static let clientID = UUID()

    /// A location, a technician, a pigment batch and a client, so path ids exist.
    static func setUp(_ client: any TestClientProtocol, _ fixture: ServerFixture) async throws {
        try await CommandBehaviourTests.setUpStudio(client, fixture)
        let registered = try await client.execute(
            uri: "/v1/clients", method: .post, headers: fixture.headers(.operator), body: Payloads.client(clientID))
        #expect(registered.status == .created, "\(registered.text)")
    }

    static func eventCount(_ fixture: ServerFixture) async throws -> Int64 {
        let rows = try await fixture.database.pool.withConnection { try await $0.query("SELECT count(*) FROM events") }
        return try rows.first?.decode(Int64.self, at: 0) ?? -1
    }

    /// Every command route that takes JSON, with its path ids filled in. (The photo upload takes image bytes:
    /// its bad bodies, sizes and media types are PhotoRoutesTests'.)
    static func commandPaths(_ fixture: ServerFixture) -> [String] {
        fixture.app.buildRouter().endpoints.filter {
            $0.permission == .command && $0.body != OpenAPIDocument.imageBody
        }.map { endpoint in
            var path = endpoint.path
            if path.hasPrefix("/v1/clients/") {
                path = path.replacingOccurrences(of: "{id}", with: clientID.uuidString)
            }
            if path.hasPrefix("/v1/technicians/") { path = path.replacingOccurrences(of: "{id}", with: "T-01") }
            if path.hasPrefix("/v1/locations/") { path = path.replacingOccurrences(of: "{id}", with: "LDN") }
            if path.hasPrefix("/v1/pigment-batches/") { path = path.replacingOccurrences(of: "{id}", with: "B-1") }
            return path
        }
    }

    struct Case: Sendable {
        var name: String
        var body: [UInt8]
        var contentType: String? = "application/json"
        var status: HTTPResponse.Status
        var field: String?
        var detail: String
    }

    static let hostileBodies: [Case] = {
        let long = String(repeating: "x", count: 100_000)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in #"{"referralSource":"web"}"#.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        return [
            Case(
                name: "trailing comma", body: Array(#"{"referralSource":"web",}"#.utf8), status: .badRequest,
                detail: "no trailing commas"),
            Case(
                name: "trailing comma in a list", body: Array(#"{"scopes":["photos",]}"#.utf8), status: .badRequest,
                detail: "no trailing commas"),
            Case(name: "UTF-16 body", body: utf16, status: .badRequest, detail: "UTF-8"),
            Case(
                name: "byte order mark", body: [0xEF, 0xBB, 0xBF] + Array("{}".utf8), status: .badRequest,
                detail: "byte order mark"),
            Case(
                name: "invalid UTF-8", body: Array(#"{"notes":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
                status: .badRequest, detail: "UTF-8"),
            Case(
                name: "duplicate key", body: Array(#"{"reason":"a","reason":"b"}"#.utf8), status: .badRequest,
                field: "reason", detail: "twice"),
            Case(
                name: "JSON in text/plain", body: Array(#"{"referralSource":"web"}"#.utf8),
                contentType: "text/plain", status: .unsupportedMediaType, detail: "application/json"),
            Case(
                name: "no content type", body: Array(#"{"referralSource":"web"}"#.utf8), contentType: nil,
                status: .unsupportedMediaType, detail: "application/json"),
            Case(
                name: "JSON declared as UTF-16", body: Array("{}".utf8),
                contentType: "application/json; charset=utf-16", status: .unsupportedMediaType, detail: "UTF-8"),
            Case(
                name: "100,000-character referral source", body: Array(#"{"referralSource":"\#(long)"}"#.utf8),
                status: .badRequest, field: "referralSource", detail: "at most 200"),
            Case(
                name: "100,000-character free text", body: Array(#"{"notes":"\#(long)"}"#.utf8), status: .badRequest,
                field: "notes", detail: "at most 4000"),
            Case(
                name: "100,000-character unknown field", body: Array(#"{"whatever":"\#(long)"}"#.utf8),
                status: .badRequest, field: "whatever", detail: "at most 1000"),
            Case(
                name: "NUL in a string", body: Array(#"{"reason":"a\u0000b"}"#.utf8), status: .badRequest,
                field: "reason", detail: "NUL"),
            Case(name: "-0", body: Array(#"{"density":-0}"#.utf8), status: .badRequest, field: "density", detail: "-0"),
            Case(
                name: "-0.0", body: Array(#"{"density":-0.0e5}"#.utf8), status: .badRequest, field: "density",
                detail: "-0"),
            Case(
                name: "a number beyond a double", body: Array(#"{"density":1e400}"#.utf8), status: .badRequest,
                field: "density", detail: "out of range"),
            Case(
                name: "a leading zero", body: Array(#"{"density":007}"#.utf8), status: .badRequest, field: "density",
                detail: "leading zero"),
            Case(
                name: "a lone surrogate", body: Array(#"{"reason":"\ud800"}"#.utf8), status: .badRequest,
                field: "reason", detail: "surrogate"),
            Case(name: "nesting 100 deep", body: Array(#"{"a":\#(deep)}"#.utf8), status: .badRequest, detail: "nest"),
            Case(name: "a JSON array", body: Array("[]".utf8), status: .badRequest, detail: "object"),
            Case(name: "an empty body", body: [], status: .badRequest, detail: "object"),
            Case(name: "a comment", body: Array("{/* hi */}".utf8), status: .badRequest, detail: "member name"),
            Case(
                name: "a year-0000 time", body: Array(#"{"at":"0000-01-01T00:00:00Z"}"#.utf8), status: .badRequest,
                field: "at", detail: "1900"),
        ]
    }()

    @Test("every hostile body on every command route is a 4xx problem, and the event count is unchanged")
    func everyRoute() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                try await Self.setUp(client, fixture)
                let before = try await Self.eventCount(fixture)
                let paths = Self.commandPaths(fixture)
                #expect(paths.count >= 38, "every command route is covered")
                for path in paths {
                    for hostile in Self.hostileBodies {
                        var headers = fixture.headers(.operator)
                        headers[.contentType] = hostile.contentType
                        let response = try await client.execute(
                            uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: hostile.body))
                        let label = "\(hostile.name) on \(path): \(response.status) \(response.text.prefix(300))"
                        #expect(response.status == hostile.status, "\(label)")
                        #expect(response.headers[.contentType] == "application/problem+json", "\(label)")
                        let detail = response.json["detail"] as? String ?? ""
                        #expect(detail.contains(hostile.detail), "\(label)")
                        if let field = hostile.field { #expect(response.json["field"] as? String == field, "\(label)") }
                    }
                    // NUL and over-long ids in the path itself.
                    let nul = path.replacingOccurrences(of: "/v1/", with: "/v1/%00")
                    let nulResponse = try await client.execute(
                        uri: nul, method: .post, headers: fixture.headers(.operator), body: ByteBuffer(string: "{}"))
                    #expect(nulResponse.status == .badRequest, "NUL in \(nul)")
                    #expect(nulResponse.json["field"] as? String == "(path)")
                    let long = path.replacingOccurrences(of: "/v1/", with: "/v1/" + String(repeating: "a", count: 5000))
                    let longResponse = try await client.execute(
                        uri: long, method: .post, headers: fixture.headers(.operator), body: ByteBuffer(string: "{}"))
                    #expect(longResponse.status == .uriTooLong, "long path \(path)")
                    #expect(longResponse.headers[.contentType] == "application/problem+json")
                }
                #expect(try await Self.eventCount(fixture) == before)
            }
        }
    }

    @Test("a body over the limit is a 413 problem on every command route, and nothing is written")
    func tooLargeEverywhere() async throws {
        try await ServerFixture.with(configuration: .init(bodyLimit: 4096, runProjections: false)) { fixture in
            try await fixture.test { client in
                try await Self.setUp(client, fixture)
                let before = try await Self.eventCount(fixture)
                let big = ByteBuffer(string: #"{"notes":""# + String(repeating: "y", count: 5000) + #""}"#)
                for path in Self.commandPaths(fixture) {
                    let response = try await client.execute(
                        uri: path, method: .post, headers: fixture.headers(.operator), body: big)
                    #expect(response.status == .contentTooLarge, "\(path)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                #expect(try await Self.eventCount(fixture) == before)
            }
        }
    }

    /// A registration body with `personal` replaced.
    static func registration(_ personal: [String: Any], extra: [String: Any] = [:]) -> ByteBuffer {
        var object: [String: Any] = ["personal": personal]
        for (key, value) in extra { object[key] = value }
        return jsonBody(object)
    }

    @Test("registration refuses bad names, e-mails, phones and birth dates with a 400 naming the field")
    func registrationFormats() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let before = try await Self.eventCount(fixture)
                let good: [String: Any] = [
                    "fullName": "Sam", "contact": ["email": "sam@example.com"], "dateOfBirth": "1990-01-01",
                ]
                func with(_ key: String, _ value: Any) -> [String: Any] {
                    var personal = good
                    personal[key] = value
                    return personal
                }
                let cases: [(String, ByteBuffer, String, String)] = [
                    (
                        "empty email", Self.registration(with("contact", ["email": ""])), "personal.contact.email",
                        "blank"
                    ),
                    (
                        "blank email", Self.registration(with("contact", ["email": "   "])), "personal.contact.email",
                        "blank"
                    ),
                    (
                        "two @", Self.registration(with("contact", ["email": "a@b@example.com"])),
                        "personal.contact.email", "exactly one @"
                    ),
                    (
                        "no domain", Self.registration(with("contact", ["email": "sam@"])), "personal.contact.email",
                        "domain"
                    ),
                    (
                        "email of 100,000 characters",
                        Self.registration(
                            with("contact", ["email": String(repeating: "a", count: 100_000) + "@x.com"])),
                        "personal.contact.email", "at most 254"
                    ),
                    (
                        "letters as a phone", Self.registration(with("contact", ["phone": "call me"])),
                        "personal.contact.phone", "E.164"
                    ),
                    (
                        "too few digits", Self.registration(with("contact", ["phone": "+44 12"])),
                        "personal.contact.phone", "7 to 15 digits"
                    ),
                    (
                        "year 0000 birthday", Self.registration(with("dateOfBirth", "0000-01-01")),
                        "personal.dateOfBirth", "1900"
                    ),
                    (
                        "birthday in 1850", Self.registration(with("dateOfBirth", "1850-06-01")),
                        "personal.dateOfBirth", "1900"
                    ),
                    (
                        "full name of 100,000 characters",
                        Self.registration(with("fullName", String(repeating: "n", count: 100_000))),
                        "personal.fullName", "at most 200"
                    ),
                    (
                        "null email where a string is given as null twice",
                        ByteBuffer(
                            string:
                                #"{"personal":{"fullName":"A","contact":{"email":null,"email":"a@b.co"},"dateOfBirth":"1990-01-01"}}"#
                        ),
                        "personal.contact.email", "twice"
                    ),
                ]
                for (name, body, field, detail) in cases {
                    let response = try await client.execute(
                        uri: "/v1/clients", method: .post, headers: fixture.headers(.operator), body: body)
                    #expect(response.status == .badRequest, "\(name): \(response.text.prefix(300))")
                    #expect(response.json["field"] as? String == field, "\(name): \(response.text.prefix(300))")
                    #expect(
                        (response.json["detail"] as? String ?? "").contains(detail),
                        "\(name): \(response.text.prefix(300))")
                }
                // E.164 and the looser written forms pass; null is no e-mail at all.
                for contact: [String: Any] in [
                    ["phone": "+442079460958"], ["phone": "(020) 7946-0958"],
                    ["email": NSNull(), "phone": "+1 415 555 0100"],
                ] {
                    let response = try await client.execute(
                        uri: "/v1/clients", method: .post, headers: fixture.headers(.operator),
                        body: Self.registration(with("contact", contact)))
                    #expect(response.status == .created, "\(contact): \(response.text)")
                }
                #expect(try await Self.eventCount(fixture) == before + 3)
            }
        }
    }

    @Test("an unknown enumeration value is answered with the allowed values, never a Swift type name")
    func enumerationValues() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                try await Self.setUp(client, fixture)
                let before = try await Self.eventCount(fixture)
                let response = try await client.execute(
                    uri: "/v1/clients/\(Self.clientID)/fade-observations", method: .post,
                    headers: fixture.headers(.operator),
                    body: jsonBody(["appointmentID": UUID().uuidString, "density": 0.5, "method": "visual"]))
                #expect(response.status == .badRequest)
                #expect(response.json["field"] as? String == "method")
                let detail = response.json["detail"] as? String ?? ""
                #expect(detail.contains("photo-analysis, visual-estimate, dermatoscope"), "\(detail)")
                #expect(!detail.contains("FadeMeasurementMethod") && !detail.contains("Cannot initialize"), "\(detail)")
                let role = try await client.execute(
                    uri: "/v1/keys", method: .post, headers: fixture.headers(.admin),
                    body: jsonBody(["name": "k", "role": "root"]))
                #expect(role.status == .badRequest)
                #expect((role.json["detail"] as? String ?? "").contains("operator"), "\(role.text)")
                #expect(!(role.json["detail"] as? String ?? "").contains("Role"), "\(role.text)")
                #expect(try await Self.eventCount(fixture) == before)
            }
        }
    }

    @Test(
        "a number its field cannot hold, or a value of the wrong type, is a 400 naming the field's path and what is allowed"
    )
    func numberFields() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                try await Self.setUp(client, fixture)
                let before = try await Self.eventCount(fixture)
                let valid = String(decoding: Payloads.payment(minor: 123_456_789).readableBytesView, as: UTF8.self)
                #expect(valid.contains("123456789") && valid.contains(#""USD""#), "\(valid)")
                let cases: [(name: String, body: String, field: String, detail: String)] = [
                    (
                        "a fraction", valid.replacingOccurrences(of: "123456789", with: "1.5"), "amount.minorUnits",
                        "must be a whole number (an integer), not 1.5"
                    ),
                    (
                        "a negative fraction", valid.replacingOccurrences(of: "123456789", with: "-2.5e0"),
                        "amount.minorUnits", "whole number"
                    ),
                    (
                        "1e300", valid.replacingOccurrences(of: "123456789", with: "1e300"), "amount.minorUnits",
                        "out of range for its type: a whole number from -9223372036854775808 to 9223372036854775807"
                    ),
                    (
                        "beyond Int64", valid.replacingOccurrences(of: "123456789", with: "99999999999999999999"),
                        "amount.minorUnits", "out of range"
                    ),
                    (
                        "1e400", valid.replacingOccurrences(of: "123456789", with: "1e400"), "amount.minorUnits",
                        "out of range"
                    ),
                    (
                        "a string for an integer", valid.replacingOccurrences(of: "123456789", with: #""12""#),
                        "amount.minorUnits", "wrong type (expected an integer)"
                    ),
                    (
                        "a number for a string", valid.replacingOccurrences(of: #""USD""#, with: "840"),
                        "amount.currency", "expected a string"
                    ),
                ]
                for test in cases {
                    let response = try await client.execute(
                        uri: "/v1/clients/\(Self.clientID)/payments", method: .post,
                        headers: fixture.headers(.operator),
                        body: ByteBuffer(string: test.body))
                    let label = "\(test.name): \(response.status) \(response.text.prefix(300))"
                    #expect(response.status == .badRequest, "\(label)")
                    #expect(response.json["field"] as? String == test.field, "\(label)")
                    #expect((response.json["detail"] as? String ?? "").contains(test.detail), "\(label)")
                    #expect(!(response.json["detail"] as? String ?? "").contains("not valid JSON"), "\(label)")
                }
                #expect(try await Self.eventCount(fixture) == before)
                // The same body with the number whole is accepted: the refusals above are the numbers'.
                let accepted = try await client.execute(
                    uri: "/v1/clients/\(Self.clientID)/payments", method: .post, headers: fixture.headers(.operator),
                    body: ByteBuffer(string: valid))
                #expect(accepted.status == .created, "\(accepted.text)")
                #expect(try await Self.eventCount(fixture) == before + 1)
            }
        }
    }

    @Test("a NUL in a query parameter is a 400 naming it on every route that takes text, before any SQL")
    func nulInQueries() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let routes = fixture.app.buildRouter().endpoints.filter { !$0.query.isEmpty }
                #expect(routes.contains { $0.path == "/v1/schedule" })
                for endpoint in routes {
                    let path = endpoint.path.replacingOccurrences(of: "{id}", with: Self.clientID.uuidString)
                        .replacingOccurrences(of: "{stream}", with: "client-x")
                    for name in endpoint.query {
                        let response = try await client.execute(
                            uri: "\(path)?\(name)=%00abc", method: .get, headers: fixture.headers(.admin))
                        #expect(response.status == .badRequest, "\(name) on \(path): \(response.text)")
                        #expect(response.json["field"] as? String == name, "\(name) on \(path): \(response.text)")
                        #expect((response.json["detail"] as? String ?? "").contains("NUL"))
                    }
                }
                let schedule = try await client.execute(
                    uri: "/v1/schedule?location=%00", method: .get, headers: fixture.headers(.operator))
                #expect(schedule.status == .badRequest)
            }
        }
    }

    @Test("over TCP: a 100,000-character path id is a 414 problem document, and text/plain a 415")
    func liveServer() async throws {
        try await ServerFixture.with { fixture in
            let secret = try #require(fixture.keys[.operator])
            try await LoopbackServer(app: fixture.app, logLevel: .critical).withServer { port in
                let before = try await Self.eventCount(fixture)
                let auth = ["Authorization": "Bearer \(secret)"]
                let id = String(repeating: "7", count: 100_000)
                let long = try await RawHTTPClient.send(port: port, "GET", "/v1/clients/\(id)/timeline", headers: auth)
                #expect(long.status == 414)
                #expect(long.headers["content-type"] == "application/problem+json")
                #expect(long.json["status"] as? Int == 414)
                let posted = try await RawHTTPClient.send(
                    port: port, "POST", "/v1/clients/\(id)/payments",
                    headers: auth.merging(["Content-Type": "application/json"]) { $1 }, body: Data("{}".utf8))
                #expect(posted.status == 414)
                #expect(posted.json["status"] as? Int == 414)
                let plain = try await RawHTTPClient.send(
                    port: port, "POST", "/v1/clients", headers: auth.merging(["Content-Type": "text/plain"]) { $1 },
                    body: Data(Payloads.client(UUID()).readableBytesView))
                #expect(plain.status == 415)
                #expect(plain.headers["content-type"] == "application/problem+json")
                let schedule = try await RawHTTPClient.send(
                    port: port, "GET", "/v1/schedule?location=%00", headers: auth)
                #expect(schedule.status == 400)
                #expect(schedule.json["field"] as? String == "location")
                #expect(try await Self.eventCount(fixture) == before)
            }
        }
    }

    @Test("the strict parser reads what it must and refuses the rest")
    func strictParser() throws {
        let value = try StrictJSON.parse(Array(#" {"a":[1,-2.5e3,true,null,"\u00e9\ud83d\ude00"],"b":{}} "#.utf8))
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .null, .string("é😀")]))
        #expect(value["b"] == .object([]))
        #expect(try StrictJSON.parse(Array(value.data)) == value)
        for bad in [#"{"a":1,}"#, #"[1,]"#, "{'a':1}", #"{"a":01}"#, #"{"a":.5}"#, "NaN", #"{"a":1}x"#, #"{"a" 1}"#] {
            #expect(throws: StrictJSONError.self, "\(bad)") { try StrictJSON.parse(Array(bad.utf8)) }
        }
    }
}
