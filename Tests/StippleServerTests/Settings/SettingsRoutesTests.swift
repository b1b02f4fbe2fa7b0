import Clinic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import StippleServer

@Suite("Clinic settings over HTTP")
struct SettingsRoutesTests {
    @Test("a bounded change is recorded and read back; out-of-range or malformed values are refused naming the field")
    func changeAndRead() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let headers = fixture.headers(.operator)
                func post(_ object: [String: Any]) async throws -> TestResponse {
                    try await client.execute(
                        uri: "/v1/settings", method: .post, headers: headers, body: jsonBody(object))
                }
                let tooYoung = try await post([
                    "settings": ["minimumAge": 15], "changedBy": "Dana", "reason": "State law",
                ])
                #expect(tooYoung.status == .unprocessableContent, "\(tooYoung.text)")
                #expect(tooYoung.json["field"] as? String == "settings.minimumAge")
                let malformed = try await post([
                    "settings": ["minimumAge": "twenty-one"], "changedBy": "Dana", "reason": "State law",
                ])
                #expect(malformed.status == .badRequest, "\(malformed.text)")
                #expect(malformed.json["field"] as? String == "settings.minimumAge")
                let unknownLocation = try await post([
                    "locationID": "nowhere", "settings": ["minimumAge": 21], "changedBy": "Dana", "reason": "Law",
                ])
                #expect(unknownLocation.status == .unprocessableContent, "\(unknownLocation.text)")
                var read = try await client.execute(uri: "/v1/settings", method: .get, headers: headers)
                #expect((read.json["changes"] as? [Any])?.isEmpty == true, "nothing was written: \(read.text)")

                let accepted = try await post([
                    "settings": [
                        "minimumAge": 19, "depositPolicy": ["fixedAmount": ["minorUnits": 20000, "currency": "USD"]],
                    ],
                    "changedBy": "Dana", "reason": "Insurer's condition",
                ])
                #expect(accepted.status == .created, "\(accepted.text)")
                read = try await client.execute(uri: "/v1/settings", method: .get, headers: headers)
                #expect(read.status == .ok)
                let clinic = try #require(read.json["clinic"] as? [String: Any])
                #expect(clinic["minimumAge"] as? Int == 19)
                #expect(clinic["healingIntervalDays"] as? Int == 10)
                #expect(clinic["cancellationWindowHours"] as? Int == 48)
                let policy = try #require(clinic["depositPolicy"] as? [String: Any])
                #expect((policy["fixedAmount"] as? [String: Any])?["minorUnits"] as? Int == 20000)
                let changes = try #require(read.json["changes"] as? [[String: Any]])
                #expect(changes.map { $0["changedBy"] as? String } == ["Dana"])
                #expect(changes.first?["reason"] as? String == "Insurer's condition")
            }
        }
    }
}
