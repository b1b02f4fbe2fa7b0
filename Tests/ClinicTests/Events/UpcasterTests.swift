import Foundation
import Testing
@testable import Clinic

@Suite("Reading older event versions")
struct UpcasterTests {
    /// As stored by the 2019 release: flat personal fields, birth date as a timestamp.
    static let registeredV1 = #"""
        {"at":"2019-03-14T10:12:00Z","dateOfBirth":"1979-08-02T00:00:00Z","email":"j.smith@example.com",
         "name":"John Smith","phone":"+1-555-0100","referralSource":"Google"}
        """#

    /// As stored before fade observations had a method: density in whole percent.
    static let fadeObservedV1 = #"{"at":"2021-06-01T15:00:00Z","densityPercent":82}"#

    /// As stored before instruction sets had content: a label and a version text, no appointment.
    static let instructionsGivenV1 = #"""
        {"at":"2024-05-02T16:00:00Z","channel":"email","instructionSet":"SMP aftercare","instructionSetVersion":"5",
         "kind":"aftercare"}
        """#

    @Test("a version 1 instructions-given keeps its label, and names no set, version or appointment it never had")
    func aVersion1InstructionsGivenKeepsItsLabel() throws {
        let event = try ClinicEvent.decode(
            type: "client.instructions-given", schemaVersion: 1, data: Data(Self.instructionsGivenV1.utf8))
        #expect(
            event
                == .client(
                    .instructionsGiven(
                        InstructionsGiven(
                            at: Fixture.date("2024-05-02", hour: 16), kind: .aftercare, instructionSetID: nil,
                            instructionSetVersion: nil, appointmentID: nil, channel: .email,
                            legacyLabel: "SMP aftercare v5"))))
        let encoded = try event.encoded()
        #expect(encoded.schemaVersion == 2)
        #expect(try ClinicEvent.decode(type: encoded.type, schemaVersion: 2, data: encoded.data) == event)
        // Folded, it leaves no given instructions behind: there is no appointment to hang them on.
        var state = ClientState(id: Fixture.clientID)
        if case .client(let clientEvent) = event { state.apply(clientEvent) }
        #expect(state.instructions.isEmpty)
    }

    /// As stored when corrections were recordings only.
    static let correctionPerformedV1 = #"""
        {"areas":["frontal-hairline"],"at":"2025-02-03T11:00:00Z","method":"laser-removal",
         "provider":"Partner laser clinic","sessionNumber":1}
        """#

    @Test("a version 1 correction-performed is read as version 2 with no appointment or location")
    func aVersion1CorrectionHasNoBooking() throws {
        let event = try ClinicEvent.decode(
            type: "client.correction-performed", schemaVersion: 1, data: Data(Self.correctionPerformedV1.utf8))
        #expect(
            event
                == .client(
                    .correctionPerformed(
                        CorrectionPerformed(
                            at: Fixture.date("2025-02-03", hour: 11), method: .laserRemoval, sessionNumber: 1,
                            areas: [.frontalHairline], provider: "Partner laser clinic"))))
        #expect(event.schemaVersion == 2)
    }

    @Test func aVersion1RegistrationIsReadAsVersion2WithPersonalDataGrouped() throws {
        let event = try ClinicEvent.decode(
            type: "client.registered", schemaVersion: 1,
            data: Data(Self.registeredV1.utf8))
        guard case .client(.registered(let registered)) = event else {
            Issue.record("expected a registration, got \(event)")
            return
        }
        #expect(registered.personal.fullName == "John Smith")
        #expect(registered.personal.contact == ContactDetails(email: "j.smith@example.com", phone: "+1-555-0100"))
        #expect(registered.personal.dateOfBirth == Fixture.day("1979-08-02"))
        #expect(registered.referralSource == "Google")
        #expect(registered.at == Fixture.date("2019-03-14", hour: 10, minute: 12))
        #expect(event.schemaVersion == 2)
    }

    @Test func anUpcastEventIsWrittenBackInTheCurrentVersion() throws {
        let event = try ClinicEvent.decode(
            type: "client.registered", schemaVersion: 1,
            data: Data(Self.registeredV1.utf8))
        let encoded = try event.encoded()
        #expect(encoded.schemaVersion == 2)
        let text = String(decoding: encoded.data, as: UTF8.self)
        #expect(text.contains(#""personal":{"#))
        #expect(try ClinicEvent.decode(type: encoded.type, schemaVersion: 2, data: encoded.data) == event)
    }

    @Test func aVersion1FadeObservationIsReadWithDensityAsAFraction() throws {
        let event = try ClinicEvent.decode(
            type: "client.fade-observed", schemaVersion: 1,
            data: Data(Self.fadeObservedV1.utf8))
        #expect(
            event
                == .client(
                    .fadeObserved(
                        FadeObserved(
                            at: Fixture.date("2021-06-01", hour: 15), density: 0.82, method: .visualEstimate,
                            uvExposure: nil))))
    }

    @Test func aMalformedVersion1RegistrationNamesTheTypeAndVersion() {
        let json = #"{"at":"2019-03-14T10:12:00Z","name":"John Smith"}"#
        do {
            _ = try ClinicEvent.decode(type: "client.registered", schemaVersion: 1, data: Data(json.utf8))
            Issue.record("expected an error")
        } catch let error as MalformedEventData {
            #expect(error.type == "client.registered")
            #expect(error.schemaVersion == 1)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func aVersion2RegistrationIsNotReadAsVersion1() {
        #expect(throws: MalformedEventData.self) {
            try ClinicEvent.decode(type: "client.registered", schemaVersion: 2, data: Data(Self.registeredV1.utf8))
        }
    }

    @Test func aVersion1PhotoIsReadAsVersion2WithUnknownDimensionsAndWrittenBackAsVersion2() throws {
        let json = """
            {"at":"2024-02-01T10:00:00Z","photoID":"00000000-0000-4000-8000-0000000000a1",\
            "contentHash":"\(String(repeating: "ab", count: 32))","sizeBytes":123456,"mediaType":"image/jpeg",\
            "stage":"before","angle":"top","consentScope":"clinical-photos"}
            """
        let event = try ClinicEvent.decode(type: "client.photo-logged", schemaVersion: 1, data: Data(json.utf8))
        guard case .client(.photoLogged(let photo)) = event else {
            Issue.record("expected a photo, got \(event)")
            return
        }
        #expect(photo.sizeBytes == 123456 && photo.stage == .before && photo.angle == .top)
        #expect(photo.width == nil && photo.height == nil)
        let encoded = try event.encoded()
        #expect(encoded.schemaVersion == 2)
        #expect(try ClinicEvent.decode(type: encoded.type, schemaVersion: 2, data: encoded.data) == event)
    }
}
