import Foundation
import Testing
@testable import Clinic

/// Testimonials, stated goals and the reasons money was refunded or kept are free text about a client: version 2
/// of their events keeps that text under `personal` (sealed by the store, shredded by forget); version 1 events,
/// with the text in the clear, are still read.
@Suite("Personal free text under personal")
struct PersonalFreeTextTests {
    static let testimonialV1 = #"{"at":"2024-05-01T10:00:00Z","rating":5,"text":"Nobody can tell it is not hair."}"#
    static let refundV1 =
        #"{"amount":{"currency":"USD","minorUnits":30000},"at":"2024-05-01T10:00:00Z","method":"card","#
        + #""reason":"Moved abroad","refundID":"00000000-0000-4000-8000-0000000000fb"}"#
    static let forfeitV1 =
        #"{"at":"2024-05-01T10:00:00Z","depositID":"00000000-0000-4000-8000-0000000000d1","reason":"Lost his job"}"#

    static func held(goals: String) -> String {
        #"{"appointmentID":"00000000-0000-4000-8000-0000000000c0","#
            + #""assessment":{"hairLoss":{"scale":"norwood","stage":4},"naturalHairColour":"dark brown","#
            + #""pattern":"receding","skinTone":"III"},"at":"2024-05-01T10:00:00Z","chosenShade":"Medium Brown","#
            + #""design":{"edgeSoftness":"soft","heightCentimetres":7.5,"shape":"mature","symmetry":"symmetric"},"#
            + #""quotedPrice":{"currency":"USD","minorUnits":240000},"sessionsPlanned":3,"#
            + #""statedGoals":"\#(goals)","targetDensity":0.85,"treatedAreaSquareCentimetres":300}"#
    }

    func written(_ event: ClinicEvent) throws -> (version: Int, json: [String: Any]) {
        let encoded = try event.encoded()
        let object = try #require(try JSONSerialization.jsonObject(with: encoded.data) as? [String: Any])
        return (encoded.schemaVersion, object)
    }

    @Test func version1EventsAreReadWithTheirTextUnderPersonalAndWrittenBackAsVersion2() throws {
        let testimonial = try ClinicEvent.decode(
            type: "client.testimonial-recorded", schemaVersion: 1, data: Data(Self.testimonialV1.utf8))
        #expect(
            testimonial
                == .client(
                    .testimonialRecorded(
                        TestimonialRecorded(
                            at: Fixture.date("2024-05-01", hour: 10), text: "Nobody can tell it is not hair.", rating: 5
                        ))))
        let refund = try ClinicEvent.decode(
            type: "client.refund-issued", schemaVersion: 1, data: Data(Self.refundV1.utf8))
        guard case .client(.refundIssued(let refundIssued)) = refund else {
            Issue.record("expected a refund, got \(refund)")
            return
        }
        #expect(refundIssued.personal == PersonalText("Moved abroad") && refundIssued.policy == nil)
        let forfeit = try ClinicEvent.decode(
            type: "client.deposit-forfeited", schemaVersion: 1, data: Data(Self.forfeitV1.utf8))
        #expect(forfeit.forfeit?.personal == PersonalText("Lost his job"))
        let held = try ClinicEvent.decode(
            type: "client.consultation-held", schemaVersion: 1, data: Data(Self.held(goals: "Look younger").utf8))
        guard case .client(.consultationHeld(let consultation)) = held else {
            Issue.record("expected a consultation, got \(held)")
            return
        }
        #expect(consultation.personal == PersonalText("Look younger"))
        #expect(consultation.sessionsPlanned == 3 && consultation.design.shape == .mature)

        for (event, key) in [(testimonial, "text"), (refund, "reason"), (forfeit, "reason"), (held, "statedGoals")] {
            let (version, json) = try written(event)
            #expect(version == 2)
            #expect(json[key] == nil, "\(event.typeName) still writes \(key) in the clear")
            let personal = try #require(json["personal"] as? [String: Any], "\(event.typeName)")
            #expect(personal["text"] is String)
        }
    }

    @Test func aForgottenClientsTextReadsAsErased() throws {
        let erased = #"{"at":"2024-05-01T10:00:00Z","personal":{"erased":true},"rating":5}"#
        let event = try ClinicEvent.decode(
            type: "client.testimonial-recorded", schemaVersion: 2, data: Data(erased.utf8))
        guard case .client(.testimonialRecorded(let testimonial)) = event else {
            Issue.record("expected a testimonial, got \(event)")
            return
        }
        #expect(testimonial.personal.isErased && testimonial.text == "(erased)")
        #expect(try written(event).json["personal"] as? [String: Bool] == ["erased": true])
    }

    @Test func blankOrErasedTextIsRefusedNamingPersonalText() throws {
        var world = try World.readyForSessions()
        #expect(
            world.rejection(
                .recordTestimonial(TestimonialRecorded(at: Fixture.date("2026-01-04"), text: " ", rating: 5)))
                == .invalidValue(field: "personal.text", reason: "must not be blank"))
        var erasedText = TestimonialRecorded(at: Fixture.date("2026-01-04"), text: "x", rating: 5)
        erasedText.personal = .erased
        #expect(
            world.rejection(.recordTestimonial(erasedText))
                == .invalidValue(field: "personal.text", reason: "must be given"))
        try world.run(
            .takeDeposit(
                DepositTaken(
                    at: Fixture.date("2026-01-04"), depositID: Fixture.uuid(0xD1), amount: Fixture.usd(300),
                    refundable: true, method: .card)))
        #expect(
            world.rejection(
                .forfeitDeposit(
                    DepositForfeited(at: Fixture.date("2026-01-04"), depositID: Fixture.uuid(0xD1), reason: "")))
                == .invalidValue(field: "personal.text", reason: "must not be blank"))
        #expect(
            world.rejection(
                .forfeitDeposit(
                    DepositForfeited(at: Fixture.date("2026-01-04"), depositID: Fixture.uuid(0xD1), reason: "No-show")))
                == nil)
    }

    @Test func aRefundToAForgottenClientKeepsNoReason() throws {
        var world = try World.readyForSessions()
        try world.run(
            .takeDeposit(
                DepositTaken(
                    at: Fixture.date("2026-01-04"), depositID: Fixture.uuid(0xD1), amount: Fixture.usd(300),
                    refundable: true, method: .card)))
        try world.run(.forget(ClientForgotten(at: Fixture.date("2026-01-04", hour: 12), reason: "Erasure request")))
        let decision = try world.run(
            .issueRefund(
                RefundIssued(
                    at: Fixture.date("2026-01-05"), refundID: Fixture.uuid(0xFB), amount: Fixture.usd(300),
                    method: .card, reason: "Deposit back after erasure", depositID: Fixture.uuid(0xD1))))
        #expect(decision.events.first?.event.refund?.personal == nil)
        #expect(world.client.refundedMinorUnits == 30_000)
    }
}
