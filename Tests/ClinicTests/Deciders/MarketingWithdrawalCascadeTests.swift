import Foundation
import Testing
@testable import Clinic

@Suite("Withdrawing marketing consent revokes marketing approvals")
struct MarketingWithdrawalCascadeTests {
    let marketingConsent = Fixture.uuid(0xAD)
    let firstPhoto = Fixture.uuid(0xF1)
    let secondPhoto = Fixture.uuid(0xF2)
    let clinicalPhoto = Fixture.uuid(0xF3)

    func photo(_ id: PhotoID, at: Date, scope: ConsentScope) -> ClientCommand {
        .logPhoto(
            PhotoLogged(
                at: at, photoID: id, contentHash: Fixture.hash, sizeBytes: 2_000_000, mediaType: "image/jpeg",
                stage: .healed, angle: .front, consentScope: scope, measuredDensity: 0.8))
    }

    /// A client with marketing consent, two photos approved (website, Instagram) and one clinical photo.
    func twoApprovedPhotos() throws -> World {
        var world = try World.withClient()
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: Fixture.date("2026-01-02", hour: 10), consentID: marketingConsent, formVersion: "1",
                    scopes: [.clinicalPhotos, .marketingPhotos])))
        try world.run(photo(firstPhoto, at: Fixture.date("2026-01-03"), scope: .marketingPhotos))
        try world.run(photo(secondPhoto, at: Fixture.date("2026-01-03", hour: 10), scope: .marketingPhotos))
        try world.run(photo(clinicalPhoto, at: Fixture.date("2026-01-03", hour: 11), scope: .clinicalPhotos))
        for (id, purpose) in [(firstPhoto, "Website gallery"), (secondPhoto, "Instagram")] {
            try world.run(
                .approvePhotoForMarketing(
                    PhotoApprovedForMarketing(
                        at: Fixture.date("2026-01-04"), photoID: id, consentID: marketingConsent, purpose: purpose)))
        }
        return world
    }

    @Test func withdrawingMarketingConsentRevokesEveryApprovalInTheSameAppend() throws {
        var world = try twoApprovedPhotos()
        let at = Fixture.date("2026-01-05")
        let decision = try world.run(
            .withdrawConsent(ConsentWithdrawn(at: at, formVersion: "1", scopes: [.marketingPhotos])))
        #expect(decision.streams == [.client(Fixture.clientID)])
        #expect(
            decision.events.map(\.event) == [
                .client(.consentWithdrawn(ConsentWithdrawn(at: at, formVersion: "1", scopes: [.marketingPhotos]))),
                .client(
                    .marketingApprovalRevoked(
                        MarketingApprovalRevoked(
                            at: at, photoID: firstPhoto, consentID: marketingConsent, purpose: "Website gallery"))),
                .client(
                    .marketingApprovalRevoked(
                        MarketingApprovalRevoked(
                            at: at, photoID: secondPhoto, consentID: marketingConsent, purpose: "Instagram"))),
            ])
        #expect(world.client.photos.values.allSatisfy { !$0.approvedForMarketing && $0.marketingApproval == nil })
    }

    @Test func withdrawingOnlyClinicalPhotoConsentRevokesNothing() throws {
        var world = try twoApprovedPhotos()
        let decision = try world.run(
            .withdrawConsent(
                ConsentWithdrawn(at: Fixture.date("2026-01-05"), formVersion: "1", scopes: [.clinicalPhotos])))
        #expect(decision.events.count == 1)
        #expect(world.client.photos[firstPhoto]?.approvedForMarketing == true)
    }

    @Test func aRevokedPhotoCannotBeApprovedAgainWithoutANewConsent() throws {
        var world = try twoApprovedPhotos()
        try world.run(
            .withdrawConsent(
                ConsentWithdrawn(at: Fixture.date("2026-01-05"), formVersion: "1", scopes: [.marketingPhotos])))
        let again = ClientCommand.approvePhotoForMarketing(
            PhotoApprovedForMarketing(
                at: Fixture.date("2026-01-06"), photoID: firstPhoto, consentID: marketingConsent, purpose: "Print"))
        #expect(
            world.rejection(again, now: Fixture.date("2026-01-06"))
                == .marketingConsentWithdrawn(marketingConsent, on: Fixture.date("2026-01-05")))
    }

    @Test func aRevocationIsStoredAndReadBack() throws {
        let event = ClinicEvent.client(
            .marketingApprovalRevoked(
                MarketingApprovalRevoked(
                    at: Fixture.date("2026-01-05"), photoID: firstPhoto, consentID: marketingConsent,
                    purpose: "Instagram")))
        let (type, version, data) = try event.encoded()
        #expect(type == "client.marketing-approval-revoked" && version == 1)
        #expect(try ClinicEvent.decode(type: type, schemaVersion: version, data: data) == event)
    }
}
