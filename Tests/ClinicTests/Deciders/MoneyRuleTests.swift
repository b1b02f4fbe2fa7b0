import Foundation
import Testing
@testable import Clinic

@Suite("Payments, deposits and refunds")
struct MoneyRuleTests {
    let at = Fixture.date("2026-01-04")

    func payment(_ amount: Money) -> ClientCommand {
        .receivePayment(
            PaymentReceived(
                at: at, paymentID: Fixture.uuid(0xFA), amount: amount, method: .card,
                purpose: .package))
    }

    func refund(_ amount: Money, deposit: DepositID? = nil) -> ClientCommand {
        .issueRefund(
            RefundIssued(
                at: at, refundID: Fixture.uuid(0xFB), amount: amount, method: .card,
                reason: "Goodwill", depositID: deposit))
    }

    func deposit(_ id: DepositID, _ amount: Money, refundable: Bool) -> ClientCommand {
        .takeDeposit(DepositTaken(at: at, depositID: id, amount: amount, refundable: refundable, method: .card))
    }

    @Test func aPositivePaymentInTheAccountCurrencyIsAccepted() throws {
        var world = try World.readyForSessions()
        try world.run(payment(Fixture.usd(500)))
        #expect(world.client.paidMinorUnits == 50_000)
    }

    @Test func zeroAndNegativePaymentsAreRejected() throws {
        let world = try World.readyForSessions()
        #expect(world.rejection(payment(Fixture.usd(0))) == .nonPositiveAmount(Fixture.usd(0)))
        #expect(world.rejection(payment(Fixture.usd(-5))) == .nonPositiveAmount(Fixture.usd(-5)))
    }

    @Test func aPaymentInAnotherCurrencyIsRejected() throws {
        let world = try World.readyForSessions()
        let euros = Money(major: 100, currency: .eur)
        #expect(world.rejection(payment(euros)) == .currencyMismatch(expected: .usd, actual: .eur))
    }

    @Test func aPlanInAnotherCurrencyThanMoneyAlreadyPaidIsRejected() throws {
        var world = try World.withClient()
        let at = Fixture.date("2026-01-02", hour: 10)
        try world.run(
            .bookConsultation(
                ConsultationBooked(
                    at: at, appointmentID: World.consultationID, slot: TimeSlot(start: at, minutes: 60),
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID)))
        try world.run(.holdConsultation(World.held(at: at)))
        try world.run(payment(Fixture.usd(75)))
        let plan = TreatmentPlanAgreed(
            at: at, sessionsPlanned: 3,
            pricing: PlanPricing(model: .package, price: Money(major: 2000, currency: .eur)),
            depositDue: Money(major: 200, currency: .eur))
        #expect(world.rejection(.agreeTreatmentPlan(plan)) == .currencyMismatch(expected: .usd, actual: .eur))
    }

    @Test func aRefundUpToWhatWasPaidIsAcceptedAndAboveItRejected() throws {
        var world = try World.readyForSessions()
        try world.run(payment(Fixture.usd(500)))
        try world.run(refund(Fixture.usd(200)))
        #expect(world.client.netPaidMinorUnits == 30_000)
        #expect(world.rejection(refund(Fixture.usd(300))) == nil)
        #expect(
            world.rejection(refund(Money(minorUnits: 30_001, currency: .usd)))
                == .refundExceedsRefundable(
                    requested: Money(minorUnits: 30_001, currency: .usd),
                    refundable: Fixture.usd(300)))
    }

    @Test func aNonRefundableDepositCannotBeRefundedButCanBeForfeitedOrApplied() throws {
        var world = try World.readyForSessions()
        let id = Fixture.uuid(0xDE)
        try world.run(deposit(id, Fixture.usd(300), refundable: false))
        #expect(world.rejection(refund(Fixture.usd(300), deposit: id)) == .depositNotRefundable(id))
        #expect(
            world.rejection(refund(Fixture.usd(1)))
                == .refundExceedsRefundable(requested: Fixture.usd(1), refundable: Fixture.usd(0)))
        #expect(world.rejection(.applyDeposit(DepositApplied(at: at, depositID: id))) == nil)
        try world.run(.forfeitDeposit(DepositForfeited(at: at, depositID: id, reason: "Late cancellation")))
        #expect(world.client.deposits[id]?.status == .forfeited)
        #expect(
            world.rejection(.applyDeposit(DepositApplied(at: at, depositID: id)))
                == .depositNotHeld(id, status: .forfeited))
    }

    @Test func aRefundableDepositCanBeRefundedOnceButNotAfterForfeiture() throws {
        var world = try World.readyForSessions()
        let id = Fixture.uuid(0xDE)
        try world.run(deposit(id, Fixture.usd(300), refundable: true))
        var forfeited = world
        try forfeited.run(.forfeitDeposit(DepositForfeited(at: at, depositID: id, reason: "No-show")))
        #expect(forfeited.rejection(refund(Fixture.usd(300), deposit: id)) == .depositNotHeld(id, status: .forfeited))
        #expect(forfeited.client.refundableMinorUnits == 0)
        try world.run(refund(Fixture.usd(300), deposit: id))
        #expect(world.client.deposits[id]?.status == .refunded)
        #expect(world.rejection(refund(Fixture.usd(300), deposit: id)) == .depositNotHeld(id, status: .refunded))
    }

    @Test func aRefundableDepositAlreadyPartlyRefundedCannotBeForfeited() throws {
        var world = try World.readyForSessions()
        let id = Fixture.uuid(0xDE)
        try world.run(deposit(id, Fixture.usd(300), refundable: true))
        let forfeit = ClientCommand.forfeitDeposit(DepositForfeited(at: at, depositID: id, reason: "No-show"))
        #expect(world.rejection(forfeit) == nil)
        try world.run(refund(Fixture.usd(100)))
        #expect(
            world.rejection(forfeit)
                == .invalidValue(field: "depositID", reason: "only USD 200.00 of USD 300.00 is left after refunds"))
    }

    @Test func anUnknownDepositIsRejected() throws {
        let world = try World.readyForSessions()
        #expect(world.rejection(refund(Fixture.usd(1), deposit: Fixture.uuid(9))) == .unknownDeposit(Fixture.uuid(9)))
    }

    @Test func moneyIsShownWithItsCurrencyAndTwoDecimals() {
        #expect(Money(minorUnits: 180_005, currency: .usd).description == "USD 1800.05")
        #expect(Money(minorUnits: -5, currency: .eur).description == "EUR -0.05")
        #expect(Currency("usd") == nil)
        #expect(Currency("GBP") == .gbp)
    }
}
