import Foundation
import Testing
@testable import Clinic

@Suite("Photos and marketing consent")
struct MarketingConsentTests {
    let photoID = Fixture.uuid(0xF0)
    let marketingConsent = Fixture.uuid(0xAD)

    func photo(at: Date, scope: ConsentScope = .clinicalPhotos) -> ClientCommand {
        .logPhoto(
            PhotoLogged(
                at: at, photoID: photoID, contentHash: Fixture.hash, sizeBytes: 2_000_000,
                mediaType: "image/jpeg", stage: .healingDay(7), angle: .top, consentScope: scope,
                measuredDensity: 0.6))
    }

    func approval(at: Date, consent: ConsentID) -> ClientCommand {
        .approvePhotoForMarketing(
            PhotoApprovedForMarketing(
                at: at, photoID: photoID, consentID: consent,
                purpose: "Instagram"))
    }

    /// A client with only treatment and clinical photo consent.
    func clinicalOnly() throws -> World {
        var world = try World.withClient()
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: Fixture.date("2026-01-02", hour: 10), consentID: World.consentID,
                    formVersion: "1", scopes: [.treatment, .clinicalPhotos])))
        return world
    }

    @Test func aPhotoTakenAfterMarketingConsentCanBeApproved() throws {
        var world = try clinicalOnly()
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: Fixture.date("2026-01-03"), consentID: marketingConsent,
                    formVersion: "1", scopes: [.marketingPhotos])))
        try world.run(photo(at: Fixture.date("2026-01-04"), scope: .marketingPhotos))
        try world.run(approval(at: Fixture.date("2026-01-05"), consent: marketingConsent))
        #expect(world.client.photos[photoID]?.approvedForMarketing == true)
    }

    @Test func aPhotoTakenBeforeMarketingConsentCannotBeUsedInMarketing() throws {
        var world = try clinicalOnly()
        try world.run(photo(at: Fixture.date("2026-01-03")))
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: Fixture.date("2026-01-04"), consentID: marketingConsent,
                    formVersion: "1", scopes: [.marketingPhotos])))
        #expect(
            world.rejection(approval(at: Fixture.date("2026-01-05"), consent: marketingConsent))
                == .marketingConsentMissing(photoID, takenAt: Fixture.date("2026-01-03")))
    }

    @Test func aWithdrawnMarketingConsentBlocksMarketingUse() throws {
        var world = try clinicalOnly()
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: Fixture.date("2026-01-03"), consentID: marketingConsent,
                    formVersion: "1", scopes: [.marketingPhotos])))
        try world.run(photo(at: Fixture.date("2026-01-04"), scope: .marketingPhotos))
        try world.run(
            .withdrawConsent(
                ConsentWithdrawn(
                    at: Fixture.date("2026-01-04", hour: 12), formVersion: "1",
                    scopes: [.marketingPhotos])))
        let rejection = world.rejection(approval(at: Fixture.date("2026-01-05"), consent: marketingConsent))
        #expect(rejection == .marketingConsentWithdrawn(marketingConsent, on: Fixture.date("2026-01-04", hour: 12)))
        #expect(
            world.rejection(approval(at: Fixture.date("2026-01-05"), consent: World.consentID))
                == .unknownMarketingConsent(World.consentID))
    }

    @Test func aMarketingPhotoNeedsMarketingConsentWhenItIsTaken() throws {
        let world = try clinicalOnly()
        #expect(
            world.rejection(photo(at: Fixture.date("2026-01-04"), scope: .marketingPhotos))
                == .consentMissing(.marketingPhotos, at: Fixture.date("2026-01-04")))
        #expect(world.rejection(photo(at: Fixture.date("2026-01-04"))) == nil)
    }

    @Test func aPhotoWithAMalformedHashOrDensityIsRejected() throws {
        let world = try clinicalOnly()
        let badHash = ClientCommand.logPhoto(
            PhotoLogged(
                at: Fixture.date("2026-01-04"), photoID: photoID, contentHash: "XYZ", sizeBytes: 10,
                mediaType: "image/jpeg",
                stage: .before, angle: .front, consentScope: .clinicalPhotos))
        #expect(
            world.rejection(badHash)
                == .invalidValue(field: "contentHash", reason: "must be a lower-case hex SHA-256"))
        let badDensity = ClientCommand.logPhoto(
            PhotoLogged(
                at: Fixture.date("2026-01-04"), photoID: photoID, contentHash: Fixture.hash, sizeBytes: 10,
                mediaType: "image/jpeg", stage: .before, angle: .front, consentScope: .clinicalPhotos,
                measuredDensity: 1.5))
        #expect(
            world.rejection(badDensity)
                == .invalidValue(
                    field: "measuredDensity",
                    reason: "must be between 0 and 1, not 1.5"))
    }

    @Test func aTestimonialMayReferOnlyToAValidMarketingConsent() throws {
        var world = try clinicalOnly()
        let testimonial = { (consent: ConsentID?) in
            ClientCommand.recordTestimonial(
                TestimonialRecorded(
                    at: Fixture.date("2026-01-05"), text: "Great",
                    rating: 5, marketingConsentID: consent))
        }
        #expect(world.rejection(testimonial(nil)) == nil)
        #expect(world.rejection(testimonial(World.consentID)) == .unknownMarketingConsent(World.consentID))
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: Fixture.date("2026-01-03"), consentID: marketingConsent,
                    formVersion: "1", scopes: [.marketingPhotos])))
        #expect(world.rejection(testimonial(marketingConsent)) == nil)
        let sixStars = ClientCommand.recordTestimonial(
            TestimonialRecorded(
                at: Fixture.date("2026-01-05"),
                text: "Great", rating: 6))
        #expect(world.rejection(sixStars) == .invalidValue(field: "rating", reason: "must be 1–5, not 6"))
    }
}
