import Clinic
import EventStore
import Foundation
import Postgres
import TestSupport

/// Appends hand-written clinic events (already legal; the projections do not re-check rules).
struct ClinicHistoryFixture {
    let store: EventStore

    static func day(_ text: String, _ hour: Int = 10) -> Date {
        guard let date = try? Date("\(text)T\(hour < 10 ? "0" : "")\(hour):00:00Z", strategy: .iso8601) else {
            preconditionFailure("bad fixture date \(text)")
        }
        return date
    }

    static func usd(_ dollars: Int64) -> Money { Money(minorUnits: dollars * 100, currency: .usd) }

    static let soho = LocationID("soho")!
    static let ana = TechnicianID("ana")!

    static func treatment(batch: String = "DB-91024110") -> TreatmentRecord {
        TreatmentRecord(
            areasTreated: [.frontalHairline, .crown], needleConfiguration: "3RL",
            pigment: PigmentUse(
                product: "Permablend SMP Dark", batchNumber: PigmentBatchNumber(batch)!,
                batchExpiresOn: CalendarDay(year: 2027, month: 1, day: 31)!, dilution: "30%"),
            dotDensity: 0.7, durationMinutes: 180, anaesthetic: .topicalLidocaine)
    }

    func append(_ client: UUID, _ events: [ClientEvent]) async throws {
        let stream = try EventStreamName("client-\(client.uuidString.lowercased())")
        let new = try events.map { event -> NewEvent in
            let encoded = try ClinicEvent.client(event).encoded()
            return NewEvent(type: encoded.type, schemaVersion: encoded.schemaVersion, data: encoded.data)
        }
        try await store.append(new, to: stream, expectedVersion: .any)
    }

    /// Client A: a three-session course at USD 900 a session, a USD 300 refundable deposit
    /// applied, USD 1,000 paid, a USD 100 refund, two sessions done, the third booked.
    @discardableResult
    func courseClient(_ id: UUID) async throws -> (session3: Date, appointment3: UUID) {
        let session3 = Self.day("2026-03-20")
        let appointment3 = UUID()
        let appointment1 = UUID()
        let appointment2 = UUID()
        let deposit = UUID()
        try await append(
            id,
            [
                .registered(
                    ClientRegistered(
                        at: Self.day("2026-01-05"),
                        personal: PersonalDetails(
                            fullName: "Dario Okafor", contact: ContactDetails(email: "dario@example.com"),
                            dateOfBirth: CalendarDay(year: 1988, month: 4, day: 2)!))),
                .treatmentPlanAgreed(
                    TreatmentPlanAgreed(
                        at: Self.day("2026-01-10"), sessionsPlanned: 3,
                        pricing: PlanPricing(model: .perSession, price: Self.usd(900)), depositDue: Self.usd(300))),
                .depositTaken(
                    DepositTaken(
                        at: Self.day("2026-01-10"), depositID: deposit, amount: Self.usd(300), refundable: true,
                        method: .card)),
                .sessionBooked(
                    SessionBooked(
                        at: Self.day("2026-01-10"), appointmentID: appointment1, sessionNumber: 1,
                        slot: TimeSlot(start: Self.day("2026-02-01"), end: Self.day("2026-02-01", 13)),
                        locationID: Self.soho, technicianID: Self.ana)),
                .sessionPerformed(
                    SessionPerformed(
                        at: Self.day("2026-02-01", 13), appointmentID: appointment1, sessionNumber: 1,
                        locationID: Self.soho, technicianID: Self.ana, treatment: Self.treatment())),
                .depositApplied(DepositApplied(at: Self.day("2026-02-01", 13), depositID: deposit)),
                .paymentReceived(
                    PaymentReceived(
                        at: Self.day("2026-02-01", 14), paymentID: UUID(), amount: Self.usd(1000), method: .card,
                        purpose: .session, appointmentID: appointment1, locationID: Self.soho, technicianID: Self.ana)),
                .sessionBooked(
                    SessionBooked(
                        at: Self.day("2026-02-01", 14), appointmentID: appointment2, sessionNumber: 2,
                        slot: TimeSlot(start: Self.day("2026-02-15"), end: Self.day("2026-02-15", 13)),
                        locationID: Self.soho, technicianID: Self.ana)),
                .sessionPerformed(
                    SessionPerformed(
                        at: Self.day("2026-02-15", 13), appointmentID: appointment2, sessionNumber: 2,
                        locationID: Self.soho, technicianID: Self.ana, treatment: Self.treatment())),
                .refundIssued(
                    RefundIssued(
                        at: Self.day("2026-02-16"), refundID: UUID(), amount: Self.usd(100), method: .card,
                        reason: "goodwill: late start")),
                .sessionBooked(
                    SessionBooked(
                        at: Self.day("2026-02-16"), appointmentID: appointment3, sessionNumber: 3,
                        slot: TimeSlot(start: session3, end: session3.addingTimeInterval(3 * 3600)),
                        locationID: Self.soho, technicianID: Self.ana)),
            ])
        return (session3, appointment3)
    }
}
