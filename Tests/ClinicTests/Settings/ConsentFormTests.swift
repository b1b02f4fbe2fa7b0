import Foundation
import Testing
@testable import Clinic

@Suite("Consent form versions and re-consent")
struct ConsentFormTests {
    static let hash2018 = String(repeating: "1a", count: 32)
    static let hash2023 = String(repeating: "2b", count: 32)
    let newConsent = Fixture.uuid(0xC2)

    static func form(
        _ version: String, _ hash: String, at: Date, reconsent: Bool, scopes: [ConsentScope] = ConsentScope.allCases
    ) -> ConsentFormPublished {
        ConsentFormPublished(
            at: at, formVersion: version, contentHash: hash, scopes: scopes, requiresReconsent: reconsent,
            publishedBy: "Dana", reason: "Revised aftercare duties")
    }

    /// Forms `2023-06` (published 2025-11-01) and, when `revised`, `2026-01` requiring re-consent from 2026-01-06.
    static func forms(revised: Bool) -> ConsentForms {
        var forms = ConsentForms()
        forms.add(form("2023-06", hash2018, at: Fixture.date("2025-11-01"), reconsent: false))
        if revised { forms.add(form("2026-01", hash2023, at: Fixture.date("2026-01-06"), reconsent: true)) }
        return forms
    }

    /// Ready for sessions (consent on form `2023-06`), with the clinic's forms in the context.
    func world(revised: Bool) throws -> World {
        var world = try World.readyForSessions()
        world.consentForms = Self.forms(revised: revised)
        return world
    }

    func sign(
        _ version: String, hash: String? = nil, at: Date = Fixture.date("2026-01-07"),
        scopes: [ConsentScope] = [.treatment]
    )
        -> ClientCommand
    {
        .signConsent(
            ConsentSigned(at: at, consentID: newConsent, formVersion: version, scopes: scopes, contentHash: hash))
    }

    @Test func aSignatureRefersToAPublishedVersionAndItsHash() throws {
        var world = try world(revised: true)
        let decision = try world.run(sign("2026-01"), now: Fixture.date("2026-01-07"))
        #expect(
            decision.events.first?.event
                == .client(
                    .consentSigned(
                        ConsentSigned(
                            at: Fixture.date("2026-01-07"), consentID: newConsent, formVersion: "2026-01",
                            scopes: [.treatment],
                            contentHash: Self.hash2023))))
        #expect(world.client.consents.last?.contentHash == Self.hash2023)
    }

    @Test func anUnknownVersionAWrongHashOrAScopeTheFormDoesNotAskForIsRefused() throws {
        let world = try world(revised: true)
        let now = Fixture.date("2026-01-07")
        #expect(world.rejection(sign("2019-01"), now: now) == .unknownConsentForm("2019-01"))
        #expect(
            world.rejection(sign("2026-01", hash: Self.hash2018), now: now)
                == .consentFormMismatch("2026-01", expected: Self.hash2023))
        // Signed before the version was published.
        #expect(
            world.rejection(sign("2026-01", at: Fixture.date("2026-01-05")), now: now) == .unknownConsentForm("2026-01")
        )
        var narrow = world
        narrow.consentForms.add(
            Self.form("2026-02", Self.hash2018, at: Fixture.date("2026-01-06"), reconsent: false, scopes: [.treatment]))
        #expect(
            narrow.rejection(sign("2026-02", scopes: [.treatment, .marketingPhotos]), now: now)
                == .invalidValue(field: "scopes", reason: "form 2026-02 does not ask for marketing-photos"))
    }

    @Test func withoutPublishedFormsSignaturesAreRecordedAsGiven() throws {
        var world = try World.readyForSessions()
        try world.run(sign("whatever-2017", at: Fixture.date("2026-01-05")))
        #expect(world.client.consents.last?.contentHash == nil)
        #expect(
            world.rejection(
                .signConsent(
                    ConsentSigned(
                        at: Fixture.date("2026-01-05"), consentID: Fixture.uuid(0xC3), formVersion: "x",
                        scopes: [.treatment], contentHash: "ABC")))
                == .invalidValue(field: "contentHash", reason: "must be a lower-case hex SHA-256"))
    }

    @Test func aFormRequiringReconsentBlocksTreatmentUntilSigned() throws {
        var world = try world(revised: true)
        let now = Fixture.date("2026-01-07")
        let booking = World.booking(1, id: Fixture.uuid(0x5E01), start: Fixture.date("2026-01-12"), at: now)
        #expect(
            world.rejection(booking, now: now)
                == .reconsentRequired(formVersion: "2026-01", publishedOn: Fixture.day("2026-01-06")))
        try world.run(sign("2026-01"), now: now)
        #expect(world.rejection(booking, now: now) == nil)
    }

    @Test func aSessionBookedBeforeTheRevisionCannotBePerformedUntilTheClientSigns() throws {
        var world = try world(revised: false)
        let start = Fixture.date("2026-01-12")
        let id = Fixture.uuid(0x5E01)
        try world.run(World.booking(1, id: id, start: start))
        world.consentForms = Self.forms(revised: true)
        #expect(
            world.rejection(World.performing(1, id: id, at: start), now: start)
                == .reconsentRequired(formVersion: "2026-01", publishedOn: Fixture.day("2026-01-06")))
        try world.run(sign("2026-01", at: start), now: start)
        #expect(world.rejection(World.performing(1, id: id, at: start), now: start) == nil)
    }

    @Test func aFormNotRequiringReconsentBlocksNothing() throws {
        var world = try world(revised: false)
        world.consentForms.add(Self.form("2026-01", Self.hash2023, at: Fixture.date("2026-01-06"), reconsent: false))
        let now = Fixture.date("2026-01-07")
        #expect(
            world.rejection(
                World.booking(1, id: Fixture.uuid(0x5E01), start: Fixture.date("2026-01-12"), at: now), now: now) == nil
        )
    }

    @Test func publishingNeedsANewVersionAHashScopesAndWhoAndWhy() {
        func decide(_ form: ConsentFormPublished, state: ClinicSettingsState = ClinicSettingsState()) -> Rejection? {
            do {
                _ = try SettingsDecider.decide(
                    .publishConsentForm(form), settings: state, location: nil, now: Fixture.date("2026-01-07"))
                return nil
            } catch {
                return error
            }
        }
        let form = Self.form("2026-01", Self.hash2023, at: Fixture.date("2026-01-06"), reconsent: true)
        #expect(decide(form) == nil)
        let published = ClinicSettingsState.replay([.consentFormPublished(form)])
        #expect(published.consentForms.byVersion["2026-01"] == form)
        #expect(
            decide(form, state: published)
                == .invalidValue(field: "formVersion", reason: "version 2026-01 is already published; give a new one"))
        var bad = form
        bad.contentHash = "not-a-hash"
        #expect(decide(bad) == .invalidValue(field: "contentHash", reason: "must be a lower-case hex SHA-256"))
        bad = form
        bad.scopes = []
        #expect(decide(bad) == .invalidValue(field: "scopes", reason: "must name at least one scope"))
        bad = form
        bad.publishedBy = ""
        #expect(decide(bad) == .invalidValue(field: "publishedBy", reason: "must name who published the form"))
    }

    @Test func aVersion1ConsentIsReadWithoutAHash() throws {
        let json =
            #"{"at":"2021-01-05T10:00:00Z","consentID":"00000000-0000-4000-8000-0000000000cc","formVersion":"2018-11","scopes":["treatment"]}"#
        let event = try ClinicEvent.decode(type: "client.consent-signed", schemaVersion: 1, data: Data(json.utf8))
        #expect(
            event
                == .client(
                    .consentSigned(
                        ConsentSigned(
                            at: Fixture.date("2021-01-05", hour: 10), consentID: Fixture.uuid(0xCC),
                            formVersion: "2018-11", scopes: [.treatment]))))
        #expect(try event.encoded().schemaVersion == 2)
    }
}
