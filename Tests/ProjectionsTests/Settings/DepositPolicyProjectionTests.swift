import Clinic
import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// Read models over the deposit policy's moves, a staff reversal and a marketing withdrawal's revocations, with the
/// figures computed by hand.
/// - E (prefers uptown): USD 300 refundable deposit 03-01, forfeited by the policy on a no-show 03-10 (no
///   appointment in this stream, so at the preferred location), the forfeit reversed 03-12; USD 200 non-refundable
///   deposit 03-02, forfeited by staff 03-15.
/// - F: marketing consent, a healed photo approved for the website, consent withdrawn 04-02 with the revocation.
@Suite("Read models: the deposit policy's moves, their reversal, and the take-down list")
struct DepositPolicyProjectionTests {
    typealias F = ClinicHistoryFixture
    static let uptown = LocationID("uptown")!

    @Test("a reversed forfeit is no longer kept money; the timeline says the policy did it and not why")
    func reversal() async throws {
        try await TestDatabase.with { database in
            let (client, deposit, kept, appointment) = (UUID(), UUID(), UUID(), UUID())
            try await F(store: database.store).append(
                client,
                [
                    RevenueAttributionTests.registration("2026-03-01", prefers: Self.uptown),
                    .depositTaken(
                        DepositTaken(
                            at: F.day("2026-03-01"), depositID: deposit, amount: F.usd(300), refundable: true,
                            method: .card)),
                    .depositTaken(
                        DepositTaken(
                            at: F.day("2026-03-02"), depositID: kept, amount: F.usd(200), refundable: false,
                            method: .cash)),
                    .depositForfeited(
                        DepositForfeited(
                            at: F.day("2026-03-10"), depositID: deposit, reason: "Deposit policy of uptown: no-show",
                            policy: DepositPolicyAction(
                                trigger: .noShow, appointmentID: appointment, locationID: Self.uptown))),
                    .depositForfeitReversed(
                        DepositForfeitReversed(
                            at: F.day("2026-03-12"), depositID: deposit, reversedBy: "Dana", reason: "Was in hospital")),
                    .depositForfeited(
                        DepositForfeited(at: F.day("2026-03-15"), depositID: kept, reason: "Stopped answering calls")),
                ])
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let march = try await RevenueQueries.report(
                from: "2026-03-01", to: "2026-03-31", by: .location, pool: database.pool)
            let line = try #require(march.lines.first { $0.group == "uptown" })
            #expect(line.cashReceivedMinor == 50_000)  // 300 + 200 taken
            #expect(line.depositsTakenMinor == 50_000)
            #expect(line.depositsForfeitedMinor == 20_000)  // +300 on 03-10, -300 on 03-12, +200 on 03-15
            #expect(line.earnedMinor == 20_000)
            let position = try #require(march.positions.first)
            #expect(position.depositsHeldMinor == 30_000)  // the reversed deposit is held again

            let timeline = try #require(try await TimelineQueries.timeline(client: client, store: database.store))
            let deposits = timeline.entries.filter { $0.kind == "deposit" }.map(\.summary)
            #expect(
                deposits.suffix(3) == [
                    "Deposit forfeited by the deposit policy (no-show at uptown)",
                    "Deposit forfeit reversed by Dana; the deposit is held again",
                    "Deposit forfeited",
                ])
            #expect(!timeline.entries.contains { $0.summary.contains("hospital") || $0.summary.contains("answering") })
        }
    }

    @Test("a withdrawal's revocations put the approved photo on the take-down list with where it was used")
    func takeDown() async throws {
        try await TestDatabase.with { database in
            let (client, consent, photo) = (UUID(), UUID(), UUID())
            try await F(store: database.store).append(
                client,
                [
                    RevenueAttributionTests.registration("2026-03-01", prefers: Self.uptown),
                    .consentSigned(
                        ConsentSigned(
                            at: F.day("2026-03-01"), consentID: consent, formVersion: "m1",
                            scopes: [.clinicalPhotos, .marketingPhotos])),
                    .photoLogged(
                        PhotoLogged(
                            at: F.day("2026-03-20"), photoID: photo, contentHash: String(repeating: "cd", count: 32),
                            sizeBytes: 1_000, mediaType: "image/jpeg", stage: .healed, angle: .front,
                            consentScope: .marketingPhotos)),
                    .photoApprovedForMarketing(
                        PhotoApprovedForMarketing(
                            at: F.day("2026-03-21"), photoID: photo, consentID: consent, purpose: "Website gallery")),
                    .consentWithdrawn(
                        ConsentWithdrawn(at: F.day("2026-04-02"), formVersion: "m1", scopes: [.marketingPhotos])),
                    .marketingApprovalRevoked(
                        MarketingApprovalRevoked(
                            at: F.day("2026-04-02"), photoID: photo, consentID: consent, purpose: "Website gallery")),
                ])
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all()).catchUp()
            let queries = PortfolioQueries(pool: database.pool)
            #expect(try await queries.photos().isEmpty)
            let down = try await queries.takeDowns()
            #expect(down.map(\.photoID) == [photo])
            #expect(down.first?.purpose == "Website gallery")
            #expect(down.first?.removedAt == F.day("2026-04-02"))
            #expect(down.first?.removedReason == "marketing consent withdrawn")
            let timeline = try #require(try await TimelineQueries.timeline(client: client, store: database.store))
            #expect(
                timeline.entries.last?.summary
                    == "Marketing approval revoked (consent withdrawn): take the photo down from Website gallery")
        }
    }
}
