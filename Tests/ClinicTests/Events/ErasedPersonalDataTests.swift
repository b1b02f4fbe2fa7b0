import Clinic
import Foundation
import Testing

@Suite("erased personal data")
struct ErasedPersonalDataTests {
    private func decode(_ type: String, _ version: Int, _ json: String) throws -> ClientEvent {
        let event = try ClinicEvent.decode(type: type, schemaVersion: version, data: Data(json.utf8))
        guard case .client(let client) = event else {
            Issue.record("not a client event")
            throw CancellationError()
        }
        return client
    }

    @Test("a registration whose personal part was erased decodes, with the erased placeholder")
    func erasedRegistration() throws {
        let event = try decode(
            "client.registered", 2, #"{"at":"2024-01-10T09:00:00Z","personal":{"erased":true},"referralSource":"web"}"#)
        guard case .registered(let registered) = event else {
            Issue.record("not a registration: \(event)")
            return
        }
        #expect(registered.personal.isErased)
        #expect(registered.personal.fullName == "(erased)")
        #expect(registered.personal.contact == ContactDetails())
        #expect(registered.referralSource == "web")
        var state = ClientState(id: UUID())
        state.apply(event)
        #expect(state.personal?.isErased == true)
    }

    @Test("erased screening and healing notes decode; live ones are unchanged")
    func erasedNotes() throws {
        let screening = try decode(
            "client.medical-screening-recorded", 1,
            #"{"at":"2024-01-11T09:00:00Z","fitzpatrick":"III","hairLoss":{"scale":"norwood","stage":5},"scalpOiliness":"normal","contraindications":[],"personal":{"erased":true}}"#
        )
        guard case .medicalScreeningRecorded(let recorded) = screening else {
            Issue.record("not a screening")
            return
        }
        #expect(recorded.personal.isErased)
        #expect(recorded.personal.medicalNotes == "(erased)")

        let live = try JSONDecoder().decode(MedicalNotes.self, from: Data(#"{"notes":"itchy"}"#.utf8))
        #expect(!live.isErased)
        #expect(live.notes == "itchy")
        let erased = try JSONDecoder().decode(MedicalNotes.self, from: Data(#"{"erased":true}"#.utf8))
        #expect(erased == .erased)
    }

    @Test("encoding keeps the stored shape: live details as before, erased ones as the marker")
    func encoding() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let details = PersonalDetails(
            fullName: "Ann", contact: ContactDetails(email: "a@example.com"),
            dateOfBirth: try #require(CalendarDay(year: 1980, month: 1, day: 2)))
        #expect(
            String(decoding: try encoder.encode(details), as: UTF8.self)
                == #"{"contact":{"email":"a@example.com"},"dateOfBirth":"1980-01-02","fullName":"Ann"}"#)
        #expect(String(decoding: try encoder.encode(PersonalDetails.erased), as: UTF8.self) == #"{"erased":true}"#)
        #expect(try JSONDecoder().decode(PersonalDetails.self, from: try encoder.encode(details)) == details)
        #expect(
            String(decoding: try encoder.encode(ScreeningPersonal.erased), as: UTF8.self) == #"{"erased":true}"#)
    }
}
