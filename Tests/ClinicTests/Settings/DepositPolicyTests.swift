import Foundation
import Testing
@testable import Clinic

@Suite("A location's deposit policy")
struct DepositPolicyTests {
    let sessionID = Fixture.uuid(0x5E01)
    let depositID = Fixture.uuid(0xD1)
    let start = Fixture.date("2026-01-12")

    /// Ready for sessions (a USD 2,400 package) at NYC, whose policy asks 10% (USD 240).
    func withPolicy(_ policy: DepositPolicy = DepositPolicy(percentOfPrice: 10)) throws -> World {
        var world = try World.readyForSessions()
        world.locationSettings[Fixture.locationID] = SettingValues(depositPolicy: policy).applied(to: world.settings)
        return world
    }

    func deposit(_ amount: Int64, refundable: Bool, id: DepositID? = nil) -> ClientCommand {
        .takeDeposit(
            DepositTaken(
                at: Fixture.date("2026-01-04"), depositID: id ?? depositID, amount: Fixture.usd(amount),
                refundable: refundable, method: .cash))
    }

    /// With the policy and a deposit of `amount`, session 1 booked for 2026-01-12 09:00.
    func booked(_ amount: Int64 = 300, refundable: Bool = true) throws -> World {
        var world = try withPolicy()
        try world.run(deposit(amount, refundable: refundable))
        try world.run(World.booking(1, id: sessionID, start: start))
        return world
    }

    func cancel(at: Date, by: CancelledBy = .client) -> ClientCommand {
        .cancelSession(SessionCancelled(at: at, appointmentID: sessionID, cancelledBy: by))
    }

    func action(_ trigger: DepositPolicyAction.Trigger) -> DepositPolicyAction {
        DepositPolicyAction(trigger: trigger, appointmentID: sessionID, locationID: Fixture.locationID)
    }

    @Test func aSessionCannotBeBookedBeforeThePolicysDepositIsHeld() throws {
        var world = try withPolicy()
        let booking = World.booking(1, id: sessionID, start: start)
        #expect(
            world.rejection(booking)
                == .depositRequired(Fixture.locationID, required: Fixture.usd(240), covered: Fixture.usd(0)))
        try world.run(deposit(200, refundable: true))
        #expect(
            world.rejection(booking)
                == .depositRequired(Fixture.locationID, required: Fixture.usd(240), covered: Fixture.usd(200)))
        try world.run(deposit(40, refundable: false, id: Fixture.uuid(0xD2)))
        #expect(world.rejection(booking) == nil)
    }

    @Test func aFixedDepositIsTheAmountWhateverThePrice() throws {
        var world = try withPolicy(DepositPolicy(fixedAmount: Fixture.usd(500)))
        try world.run(deposit(300, refundable: true))
        #expect(
            world.rejection(World.booking(1, id: sessionID, start: start))
                == .depositRequired(Fixture.locationID, required: Fixture.usd(500), covered: Fixture.usd(300)))
    }

    @Test func withoutAPolicyNoDepositIsRequiredAndNothingMovesAutomatically() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: sessionID, start: start))
        let decision = try world.run(.markSessionNoShow(SessionNoShow(at: start, appointmentID: sessionID)), now: start)
        #expect(decision.events.count == 2)  // the no-show and the slot release
    }

    @Test func aNoShowForfeitsTheHeldDepositInTheSameAppend() throws {
        var world = try booked()
        let decision = try world.run(.markSessionNoShow(SessionNoShow(at: start, appointmentID: sessionID)), now: start)
        #expect(decision.events.count == 3)
        #expect(
            decision.events.last?.event
                == .client(
                    .depositForfeited(
                        DepositForfeited(
                            at: start, depositID: depositID,
                            reason: "Deposit policy of nyc: no-show on 2026-01-12", policy: action(.noShow)))))
        #expect(world.client.deposits[depositID]?.status == .forfeited)
        #expect(world.client.refundableMinorUnits == 0)
    }

    @Test func aLateCancellationForfeitsButOneWithNoticeRefunds() throws {
        // 24 h before the start, inside the 48 h window: forfeited.
        var late = try booked()
        let lateAt = Fixture.date("2026-01-11")
        let lateDecision = try late.run(cancel(at: lateAt), now: lateAt)
        #expect(lateDecision.events.compactMap { $0.event.forfeit?.policy } == [action(.lateCancellation)])
        #expect(late.client.deposits[depositID]?.status == .forfeited)

        // Five days before: the refundable deposit is refunded, by the way it was paid.
        var early = try booked()
        let earlyAt = Fixture.date("2026-01-07")
        let earlyDecision = try early.run(cancel(at: earlyAt), now: earlyAt)
        let refund = try #require(earlyDecision.events.compactMap(\.event.refund).first)
        #expect(refund.amount == Fixture.usd(300) && refund.method == .cash && refund.depositID == depositID)
        #expect(refund.policy == action(.cancellationWithNotice))
        #expect(refund.refundID == ClientRules.policyRefundID(depositID, sessionID))
        #expect(early.client.deposits[depositID]?.status == .refunded)
        #expect(early.client.netPaidMinorUnits == 0)
    }

    @Test func aNonRefundableDepositStaysHeldOnACancellationWithNotice() throws {
        var world = try booked(refundable: false)
        let at = Fixture.date("2026-01-07")
        let decision = try world.run(cancel(at: at), now: at)
        #expect(decision.events.count == 2)
        #expect(world.client.deposits[depositID]?.status == .held)
    }

    @Test func aClinicCancellationMovesNoDeposit() throws {
        var world = try booked()
        let at = Fixture.date("2026-01-11", hour: 20)
        let decision = try world.run(cancel(at: at, by: .clinic), now: at)
        #expect(decision.events.count == 2)
        #expect(world.client.deposits[depositID]?.status == .held)
    }

    @Test func staffCanReverseAnAutomaticForfeitButNotAHeldDeposit() throws {
        var world = try booked()
        let reversal = ClientCommand.reverseDepositForfeit(
            DepositForfeitReversed(
                at: Fixture.date("2026-01-13"), depositID: depositID, reversedBy: "Dana",
                reason: "Client was in hospital"))
        #expect(
            world.rejection(reversal, now: Fixture.date("2026-01-13"))
                == .invalidValue(
                    field: "depositID", reason: "deposit \(depositID.uuidString.lowercased()) is held, not forfeited"))
        try world.run(.markSessionNoShow(SessionNoShow(at: start, appointmentID: sessionID)), now: start)
        try world.run(reversal, now: Fixture.date("2026-01-13"))
        #expect(world.client.deposits[depositID]?.status == .held)
        #expect(world.client.refundableMinorUnits == 30_000)
        // Held again, it covers the rebooking.
        #expect(
            world.rejection(
                World.booking(
                    1, id: Fixture.uuid(0x5E09), start: Fixture.date("2026-01-20"), at: Fixture.date("2026-01-13")),
                now: Fixture.date("2026-01-13")) == nil)
    }

    @Test func aForfeitedDepositNoLongerCoversABooking() throws {
        var world = try booked()
        try world.run(.markSessionNoShow(SessionNoShow(at: start, appointmentID: sessionID)), now: start)
        let rebooking = World.booking(
            1, id: Fixture.uuid(0x5E09), start: Fixture.date("2026-01-20"), at: Fixture.date("2026-01-13"))
        #expect(
            world.rejection(rebooking, now: Fixture.date("2026-01-13"))
                == .depositRequired(Fixture.locationID, required: Fixture.usd(240), covered: Fixture.usd(0)))
    }
}

extension ClinicEvent {
    var forfeit: DepositForfeited? {
        if case .client(.depositForfeited(let event)) = self { event } else { nil }
    }

    var refund: RefundIssued? {
        if case .client(.refundIssued(let event)) = self { event } else { nil }
    }
}
