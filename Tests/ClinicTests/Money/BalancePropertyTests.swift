import Foundation
import PropertyBased
import Testing
@testable import Clinic

@Suite("Balance arithmetic (property-based)")
struct BalancePropertyTests {
    enum Step: Sendable, CustomStringConvertible {
        case pay(Int64)
        case refund(Int64)
        case deposit(Int64, refundable: Bool)
        case forfeitLastDeposit

        var description: String {
            switch self {
            case .pay(let amount): "pay \(amount)"
            case .refund(let amount): "refund \(amount)"
            case .deposit(let amount, let refundable): "deposit \(amount)\(refundable ? "" : " non-refundable")"
            case .forfeitLastDeposit: "forfeit"
            }
        }
    }

    static let steps = zip(Gen.int(in: 0...3), Gen.int(in: -2_000...60_000)).map { kind, amount -> Step in
        switch kind {
        case 0: .pay(Int64(amount))
        case 1: .refund(Int64(amount))
        case 2: .deposit(Int64(amount), refundable: amount % 2 == 0)
        default: .forfeitLastDeposit
        }
    }.array(of: 1...40)

    /// Runs the steps as commands; returns the world and how many were accepted.
    static func run(_ steps: [Step], check: (World, Step, Bool) -> Void) throws -> World {
        var world = try World.readyForSessions()
        var lastDeposit: DepositID?
        for (index, step) in steps.enumerated() {
            let id = Fixture.uuid(0x10_000 + index)
            let at = Fixture.date("2026-01-04")
            let command: ClientCommand =
                switch step {
                case .pay(let amount):
                    .receivePayment(
                        PaymentReceived(
                            at: at, paymentID: id,
                            amount: Money(minorUnits: amount, currency: .usd),
                            method: .card, purpose: .package))
                case .refund(let amount):
                    .issueRefund(
                        RefundIssued(
                            at: at, refundID: id, amount: Money(minorUnits: amount, currency: .usd),
                            method: .card, reason: "Refund"))
                case .deposit(let amount, let refundable):
                    .takeDeposit(
                        DepositTaken(
                            at: at, depositID: id, amount: Money(minorUnits: amount, currency: .usd),
                            refundable: refundable, method: .card))
                case .forfeitLastDeposit:
                    .forfeitDeposit(DepositForfeited(at: at, depositID: lastDeposit ?? id, reason: "No-show"))
                }
            let accepted = world.rejection(command) == nil
            if accepted {
                try world.run(command)
                if case .deposit = step { lastDeposit = id }
            }
            check(world, step, accepted)
        }
        return world
    }

    @Test func theNetBalanceNeverGoesNegative() async {
        await propertyCheck(input: Self.steps) { steps in
            _ = try? Self.run(steps) { world, _, _ in
                #expect(world.client.netPaidMinorUnits >= 0)
                #expect(world.client.refundedMinorUnits <= world.client.paidMinorUnits)
            }
        }
    }

    @Test func aRefundIsAcceptedExactlyWhenItIsPositiveAndWithinTheRefundableAmount() async {
        await propertyCheck(input: Self.steps) { steps in
            var refundableBefore: Int64 = 0
            _ = try? Self.run(steps) { world, step, accepted in
                if case .refund(let amount) = step {
                    #expect(accepted == (amount > 0 && amount <= refundableBefore))
                }
                refundableBefore = world.client.refundableMinorUnits
            }
        }
    }

    @Test func moneyKeptByTheClinicIsNeverRefunded() async {
        await propertyCheck(input: Self.steps) { steps in
            _ = try? Self.run(steps) { world, _, _ in
                #expect(world.client.refundedMinorUnits <= world.client.paidMinorUnits - world.client.lockedMinorUnits)
            }
        }
    }

    @Test func paymentsAreAcceptedExactlyWhenPositive() async {
        await propertyCheck(input: Gen.int(in: -1_000_000...1_000_000)) { amount in
            let world = try? World.readyForSessions()
            let command = ClientCommand.receivePayment(
                PaymentReceived(
                    at: Fixture.date("2026-01-04"), paymentID: Fixture.uuid(1),
                    amount: Money(minorUnits: Int64(amount), currency: .usd), method: .cash, purpose: .other))
            #expect((world?.rejection(command) == nil) == (amount > 0))
        }
    }
}
