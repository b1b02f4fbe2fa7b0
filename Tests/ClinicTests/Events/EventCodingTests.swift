import Foundation
import Testing
@testable import Clinic

@Suite("Event encoding")
struct EventCodingTests {
    @Test func theSamplesCoverEveryKnownEventTypeOnce() {
        let sampled = SampleEvents.all.map(\.typeName)
        #expect(Set(sampled).count == sampled.count)
        #expect(Set(sampled) == Set(ClinicEvent.knownTypes.map(\.type)))
        #expect(ClinicEvent.knownTypes.count == 49)
    }

    @Test(arguments: SampleEvents.all)
    func everyEventSurvivesARoundTripThroughJSON(_ event: ClinicEvent) throws {
        let encoded = try event.encoded()
        #expect(encoded.type == event.typeName)
        #expect(encoded.schemaVersion == event.schemaVersion)
        let decoded = try ClinicEvent.decode(
            type: encoded.type, schemaVersion: encoded.schemaVersion,
            data: encoded.data)
        #expect(decoded == event)
        let object = try JSONSerialization.jsonObject(with: encoded.data) as? [String: Any]
        #expect(object?["at"] as? String == "2026-03-02T14:30:00Z")
    }

    @Test func typeNamesAreDottedLowerCaseWithTheStreamCategoryFirst() {
        for event in SampleEvents.all {
            let name = event.typeName
            #expect(name.hasPrefix(event.streamCategory + "."))
            #expect(name == name.lowercased() && !name.contains(" ") && !name.contains("_"))
        }
    }

    @Test func encodingIsDeterministicWithSortedKeys() throws {
        let event = SampleEvents.all[0]
        let first = try event.encoded().data
        let second = try event.encoded().data
        #expect(first == second)
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.hasPrefix(#"{"at":"2026-03-02T14:30:00Z","personal":{"contact":{"email":"sam@example.com"}"#))
    }

    @Test func personalDataOfARegistrationSitsUnderPersonal() throws {
        let data = try ClinicEvent.client(.registered(World.registration(at: SampleEvents.at))).encoded().data
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let personal = try #require(object["personal"] as? [String: Any])
        #expect(personal["fullName"] as? String == "Sam Client")
        #expect(personal["dateOfBirth"] as? String == "1985-05-05")
        #expect(object["fullName"] == nil)
    }

    @Test func anUnknownTypeIsATypedError() {
        #expect(throws: UnknownEventType(type: "client.teleported", schemaVersion: 1)) {
            try ClinicEvent.decode(type: "client.teleported", schemaVersion: 1, data: Data("{}".utf8))
        }
    }

    @Test func malformedDataNamesTheEventType() {
        do {
            _ = try ClinicEvent.decode(
                type: "client.payment-received", schemaVersion: 1,
                data: Data(#"{"at":"2026-01-01T00:00:00Z"}"#.utf8))
            Issue.record("expected an error")
        } catch let error as MalformedEventData {
            #expect(error.type == "client.payment-received")
            #expect(error.description.contains("client.payment-received"))
            #expect(error.reason.contains("missing key"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func invalidIdentifiersInsideDataAreMalformed() {
        let json = #"{"at":"2026-01-01T00:00:00Z","reason":"x","appointmentID":"not-a-uuid"}"#
        #expect(throws: MalformedEventData.self) {
            try ClinicEvent.decode(type: "technician.slot-released", schemaVersion: 1, data: Data(json.utf8))
        }
    }

    @Test func aVersionNewerThanKnownIsRejected() {
        #expect(throws: UnsupportedSchemaVersion(type: "client.forgotten", schemaVersion: 2, current: 1)) {
            try ClinicEvent.decode(type: "client.forgotten", schemaVersion: 2, data: Data("{}".utf8))
        }
    }
}
