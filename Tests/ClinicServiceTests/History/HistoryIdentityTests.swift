import ClinicService
import Foundation
import Testing

@Suite("Generated histories' event ids and the clinic's privacy policy")
struct HistoryIdentityTests {
    @Test("the same seed and index always give the same version-8 UUID; others differ")
    func eventIDs() {
        let first = HistoryWriter.eventID(seed: 2026, index: 0)
        #expect(first == HistoryWriter.eventID(seed: 2026, index: 0))
        #expect(first != HistoryWriter.eventID(seed: 2026, index: 1))
        #expect(first != HistoryWriter.eventID(seed: 2027, index: 0))
        let ids = Set((0..<10_000).map { HistoryWriter.eventID(seed: 7, index: $0) })
        #expect(ids.count == 10_000)
        #expect(first.uuidString.dropFirst(14).first == "8")
    }

    @Test("client streams are personal, client.forgotten erases, access subjects are stream names")
    func privacyPolicy() {
        #expect(ClinicPrivacy.policy.categories == ["client"])
        #expect(ClinicPrivacy.policy.fieldName == "personal")
        #expect(ClinicPrivacy.policy.erasureEventType == "client.forgotten")
        #expect(ClinicPrivacy.accessSubject(client: "42") == "client-42")
        #expect(ClinicPrivacy.accessSubject(client: "client-42") == "client-42")
    }
}
