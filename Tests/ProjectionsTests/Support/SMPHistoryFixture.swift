import Clinic
import EventStore
import Foundation
import Postgres
import Projections
import TestSupport

/// A small, fixed clinic history for the traceability, schedule and forecast tests, written
/// as clinic events and appended to the store the way the command side would.
enum SMPHistory {
    static let alice = uuid(0xA1)
    static let bob = uuid(0xB2)
    static let cara = uuid(0xC3)
    static let dan = uuid(0xD4)
    static let london = LocationID("LDN")!
    static let tech1 = TechnicianID("T-01")!
    static let tech2 = TechnicianID("T-02")!
    static let batch100 = PigmentBatchNumber("DB-100")!
    static let batch200 = PigmentBatchNumber("DB-200")!

    static func uuid(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012x", n))!
    }

    /// `YYYY-MM-DD` at `hour` UTC.
    static func date(_ day: String, _ hour: Int = 0, _ minute: Int = 0) -> Date {
        CalendarDay(iso: day)!.startDate.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
    }

    static func usd(_ major: Int64) -> Money { Money(major: major, currency: .usd) }

    static func slot(_ day: String, _ hour: Int, minutes: Int = 60) -> TimeSlot {
        TimeSlot(start: date(day, hour), minutes: minutes)
    }

    static func treatment(_ batch: PigmentBatchNumber, dilution: String = "Charcoal, 20% diluted") -> TreatmentRecord {
        TreatmentRecord(
            areasTreated: [.frontalHairline, .crown], needleConfiguration: "1RL",
            pigment: PigmentUse(
                product: batch == batch100 ? "Scalp Ink Charcoal" : "Scalp Ink Graphite", batchNumber: batch,
                batchExpiresOn: batch == batch100 ? CalendarDay(iso: "2026-01-31")! : CalendarDay(iso: "2027-06-30")!,
                dilution: dilution),
            dotDensity: 0.7, durationMinutes: 180, anaesthetic: .topicalLidocaine)
    }

    static func registered(_ day: String, _ name: String, born: String) -> ClientEvent {
        .registered(
            ClientRegistered(
                at: date(day, 9),
                personal: PersonalDetails(
                    fullName: name, contact: ContactDetails(email: "x@example.com"),
                    dateOfBirth: CalendarDay(iso: born)!)))
    }

    /// The history, in business-time order, as (stream, event) pairs.
    static var events: [(String, ClinicEvent)] {
        let c1 = uuid(0x1001), c2 = uuid(0x1002), c3 = uuid(0x1003), c4 = uuid(0x1004)
        let a1 = uuid(0x2001), a2 = uuid(0x2002), a3 = uuid(0x2003), a3b = uuid(0x2004), touch = uuid(0x2005)
        let b1 = uuid(0x3001), b2 = uuid(0x3002), b2b = uuid(0x3003)
        let d1 = uuid(0x4001), d2 = uuid(0x4002), d3 = uuid(0x4003)
        let A = "client-" + alice.uuidString.lowercased()
        let B = "client-" + bob.uuidString.lowercased()
        let C = "client-" + cara.uuidString.lowercased()
        let D = "client-" + dan.uuidString.lowercased()
        func client(_ stream: String, _ event: ClientEvent) -> (String, ClinicEvent) { (stream, .client(event)) }
        return [
            (
                "location-LDN",
                .location(
                    .opened(
                        LocationOpened(
                            at: date("2024-01-01"), name: "Stipple London", city: "London", timeZone: "Europe/London",
                            currency: .usd)))
            ),
            (
                "technician-T-01",
                .technician(
                    .registered(
                        TechnicianRegistered(
                            at: date("2024-01-02"), displayName: "Ana Ruiz", homeLocationID: london)))
            ),
            (
                "technician-T-02",
                .technician(
                    .registered(
                        TechnicianRegistered(
                            at: date("2024-01-02"), displayName: "Ben Cole", homeLocationID: london)))
            ),
            (
                "pigment-DB-100",
                .pigmentBatch(
                    .received(
                        PigmentBatchReceived(
                            at: date("2024-01-05"), product: "Scalp Ink Charcoal", batchNumber: batch100,
                            expiresOn: CalendarDay(iso: "2026-01-31")!, supplier: "Pigmentworks", locationID: london)))
            ),
            (
                "pigment-DB-200",
                .pigmentBatch(
                    .received(
                        PigmentBatchReceived(
                            at: date("2024-01-05"), product: "Scalp Ink Graphite", batchNumber: batch200,
                            expiresOn: CalendarDay(iso: "2027-06-30")!, supplier: "Pigmentworks")))
            ),
            client(A, registered("2024-01-10", "Alice Able", born: "1980-06-15")),
            client(
                A,
                .medicalScreeningRecorded(
                    MedicalScreeningRecorded(
                        at: date("2024-01-10", 10), fitzpatrick: .iii,
                        hairLoss: HairLossStage(scale: .ludwig, stage: 2),
                        scalpOiliness: .oily, contraindications: [], personal: ScreeningPersonal()))),
            client(B, registered("2024-01-11", "Bob Baker", born: "1990-01-01")),
            client(C, registered("2024-01-12", "Cara Cole", born: "1985-05-05")),
            client(
                A,
                .consultationBooked(
                    ConsultationBooked(
                        at: date("2024-01-15"), appointmentID: c1, slot: slot("2024-02-01", 10), locationID: london,
                        technicianID: tech1))),
            client(
                B,
                .consultationBooked(
                    ConsultationBooked(
                        at: date("2024-01-15"), appointmentID: c2, slot: slot("2024-02-01", 14), locationID: london,
                        technicianID: tech2))),
            client(
                C,
                .consultationBooked(
                    ConsultationBooked(
                        at: date("2024-01-15"), appointmentID: c3, slot: slot("2024-02-01", 12), locationID: london,
                        technicianID: tech1))),
            client(
                B,
                .consultationRescheduled(
                    ConsultationRescheduled(
                        at: date("2024-01-20"), appointmentID: c2, slot: slot("2024-02-02", 14), locationID: london,
                        technicianID: tech1))),
            client(
                C,
                .consultationCancelled(
                    ConsultationCancelled(
                        at: date("2024-01-25"), appointmentID: c3, cancelledBy: .clinic, reason: "technician ill"))),
            client(A, .consultationHeld(held(c1, "2024-02-01", 10, sessions: 3))),
            client(
                A,
                .treatmentPlanAgreed(
                    TreatmentPlanAgreed(
                        at: date("2024-02-01", 11), sessionsPlanned: 3,
                        pricing: PlanPricing(model: .package, price: usd(2400)),
                        depositDue: usd(300)))),
            client(B, .consultationHeld(held(c2, "2024-02-02", 14, sessions: 2))),
            client(
                B,
                .treatmentPlanAgreed(
                    TreatmentPlanAgreed(
                        at: date("2024-02-02", 15), sessionsPlanned: 2,
                        pricing: PlanPricing(model: .perSession, price: usd(1000)), depositDue: usd(200)))),
            client(
                A,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-02-02"), appointmentID: a1, sessionNumber: 1,
                        slot: slot("2024-02-10", 9, minutes: 180),
                        locationID: london, technicianID: tech1))),
            client(
                A,
                .sessionPerformed(
                    SessionPerformed(
                        at: date("2024-02-10", 9), appointmentID: a1, sessionNumber: 1, locationID: london,
                        technicianID: tech1,
                        treatment: treatment(batch100)))),
            client(
                B,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-02-03"), appointmentID: b1, sessionNumber: 1,
                        slot: slot("2024-02-15", 9, minutes: 180),
                        locationID: london, technicianID: tech2))),
            client(
                B,
                .sessionPerformed(
                    SessionPerformed(
                        at: date("2024-02-15", 9), appointmentID: b1, sessionNumber: 1, locationID: london,
                        technicianID: tech2,
                        treatment: treatment(batch100)))),
            client(
                A,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-02-11"), appointmentID: a2, sessionNumber: 2,
                        slot: slot("2024-02-24", 9, minutes: 180),
                        locationID: london, technicianID: tech2))),
            client(
                A,
                .sessionPerformed(
                    SessionPerformed(
                        at: date("2024-02-24", 9), appointmentID: a2, sessionNumber: 2, locationID: london,
                        technicianID: tech2,
                        treatment: treatment(batch100)))),
            client(
                B,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-02-16"), appointmentID: b2, sessionNumber: 2,
                        slot: slot("2024-03-01", 9, minutes: 180),
                        locationID: london, technicianID: tech2))),
            client(
                B,
                .sessionCancelled(
                    SessionCancelled(
                        at: date("2024-02-28"), appointmentID: b2, cancelledBy: .client, reason: "travelling"))),
            client(
                A,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-02-25"), appointmentID: a3, sessionNumber: 3,
                        slot: slot("2024-03-09", 9, minutes: 180),
                        locationID: london, technicianID: tech1))),
            client(A, .sessionNoShow(SessionNoShow(at: date("2024-03-09", 12), appointmentID: a3))),
            client(
                B,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-03-02"), appointmentID: b2b, sessionNumber: 2,
                        slot: slot("2024-03-15", 9, minutes: 180),
                        locationID: london, technicianID: tech1))),
            client(
                A,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-03-10"), appointmentID: a3b, sessionNumber: 3,
                        slot: slot("2024-03-23", 9, minutes: 180), locationID: london, technicianID: tech1))),
            client(
                B,
                .sessionPerformed(
                    SessionPerformed(
                        at: date("2024-03-15", 9), appointmentID: b2b, sessionNumber: 2, locationID: london,
                        technicianID: tech1,
                        treatment: treatment(batch200)))),
            client(
                A,
                .sessionPerformed(
                    SessionPerformed(
                        at: date("2024-03-23", 9), appointmentID: a3b, sessionNumber: 3, locationID: london,
                        technicianID: tech1,
                        treatment: treatment(batch200, dilution: "Graphite, 40% diluted")))),
            // Dan: three sessions at the population's average dilution, nothing else known.
            client(
                D,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-01-20"), appointmentID: d1, sessionNumber: 1,
                        slot: slot("2024-02-01", 15, minutes: 120),
                        locationID: london, technicianID: tech2))),
            client(
                D,
                .sessionPerformed(
                    SessionPerformed(
                        at: date("2024-02-01", 15), appointmentID: d1, sessionNumber: 1, locationID: london,
                        technicianID: tech2, treatment: treatment(batch200, dilution: "Graphite, 30% diluted")))),
            client(
                D,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-02-02"), appointmentID: d2, sessionNumber: 2,
                        slot: slot("2024-02-15", 13, minutes: 120),
                        locationID: london, technicianID: tech2))),
            client(
                D,
                .sessionPerformed(
                    SessionPerformed(
                        at: date("2024-02-15", 13), appointmentID: d2, sessionNumber: 2, locationID: london,
                        technicianID: tech2, treatment: treatment(batch200, dilution: "Graphite, 30% diluted")))),
            client(
                D,
                .sessionBooked(
                    SessionBooked(
                        at: date("2024-02-16"), appointmentID: d3, sessionNumber: 3,
                        slot: slot("2024-03-01", 13, minutes: 120),
                        locationID: london, technicianID: tech2))),
            client(
                D,
                .sessionPerformed(
                    SessionPerformed(
                        at: date("2024-03-01", 13), appointmentID: d3, sessionNumber: 3, locationID: london,
                        technicianID: tech2, treatment: treatment(batch200, dilution: "Graphite, 30% diluted")))),
            (
                "pigment-DB-100",
                .pigmentBatch(
                    .recalled(
                        PigmentBatchRecalled(
                            at: date("2024-04-01"), reason: "Contaminated with PAH")))
            ),
            client(B, .forgotten(ClientForgotten(at: date("2024-06-01"), reason: "client request"))),
            client(
                C,
                .consultationBooked(
                    ConsultationBooked(
                        at: date("2024-06-02"), appointmentID: c4, slot: slot("2024-07-01", 10), locationID: london,
                        technicianID: tech2))),
            client(
                A,
                .fadeObserved(
                    FadeObserved(
                        at: date("2025-03-01", 10), density: 0.85, method: .photoAnalysis, uvExposure: .high))),
            client(A, .fadeObserved(FadeObserved(at: date("2025-09-01", 10), density: 0.8, method: .photoAnalysis))),
            client(
                A,
                .touchUpBooked(
                    TouchUpBooked(
                        at: date("2026-01-10"), appointmentID: touch, slot: slot("2026-02-01", 10, minutes: 120),
                        locationID: london, technicianID: tech1, quotedPrice: usd(800)))),
            client(
                A,
                .touchUpPerformed(
                    TouchUpPerformed(
                        at: date("2026-02-01", 10), appointmentID: touch, locationID: london, technicianID: tech1,
                        treatment: treatment(batch200)))),
        ]
    }

    static func held(_ id: AppointmentID, _ day: String, _ hour: Int, sessions: Int) -> ConsultationHeld {
        ConsultationHeld(
            at: date(day, hour), appointmentID: id,
            assessment: ScalpAssessment(
                hairLoss: HairLossStage(scale: .norwood, stage: 4), pattern: "receding", skinTone: .iii,
                naturalHairColour: "dark brown"),
            design: HairlineDesign(shape: .mature, edgeSoftness: .soft, heightCentimetres: 7.5, symmetry: .symmetric),
            chosenShade: "Charcoal",
            targetDensity: 0.7, treatedAreaSquareCentimetres: 300, sessionsPlanned: sessions,
            quotedPrice: usd(2400), statedGoals: "a clean hairline")
    }

    /// Appends `events` one stream append at a time, in order.
    static func append(_ events: [(String, ClinicEvent)], to store: EventStore) async throws {
        for (stream, event) in events {
            let (type, schemaVersion, data) = try event.encoded()
            try await store.append(
                [NewEvent(type: type, schemaVersion: schemaVersion, data: data)], to: try EventStreamName(stream),
                expectedVersion: .any)
        }
    }

    /// Every row of a table as `col|col|…` text, in a stable order.
    static func rows(_ database: TestDatabase, _ sql: SQL) async throws -> [String] {
        try await database.pool.withConnection { connection in
            try await connection.query(sql).map { row in
                try (0..<row.columnCount).map { try row.decode(String?.self, at: $0) ?? "NULL" }.joined(separator: "|")
            }
        }
    }
}
