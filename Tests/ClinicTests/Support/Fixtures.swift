import Foundation
@testable import Clinic

/// Dates and ids used across the tests.
enum Fixture {
    static func must<T>(_ value: T?, _ what: String = #function) -> T {
        guard let value else { fatalError("fixture \(what) is nil") }
        return value
    }

    /// `yyyy-MM-dd` at an hour, UTC.
    static func date(_ day: String, hour: Int = 9, minute: Int = 0) -> Date {
        guard let calendarDay = CalendarDay(iso: day) else { fatalError("bad test date \(day)") }
        return calendarDay.startDate.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
    }

    static func day(_ text: String) -> CalendarDay {
        guard let day = CalendarDay(iso: text) else { fatalError("bad test day \(text)") }
        return day
    }

    static func uuid(_ number: Int) -> UUID {
        let hex = String(number, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        guard let id = UUID(uuidString: "00000000-0000-4000-8000-\(padded)") else { fatalError("bad uuid") }
        return id
    }

    static let clientID = uuid(0xC11E)
    static let technicianID = must(TechnicianID("T-01"))
    static let otherTechnicianID = must(TechnicianID("T-02"))
    static let locationID = must(LocationID("nyc"))
    static let batchNumber = must(PigmentBatchNumber("DB-91024110"))
    static let instructionSetID = must(InstructionSetID("smp-standard"))
    static let hash = String(repeating: "ab", count: 32)

    static func usd(_ major: Int64) -> Money { Money(major: major, currency: .usd) }

    static func treatment(batch: PigmentBatchNumber = batchNumber) -> TreatmentRecord {
        TreatmentRecord(
            areasTreated: [.frontalHairline, .temples], needleConfiguration: "1RL 0.25 mm",
            pigment: PigmentUse(
                product: "whatever the form said", batchNumber: batch,
                batchExpiresOn: day("2000-01-01"), dilution: "shade 2, 30%"),
            dotDensity: 0.5, durationMinutes: 180, anaesthetic: .topicalLidocaine)
    }
}

/// A small clinic world for rule tests: one client, technicians, a location and a batch, with `run` deciding a
/// command against them and folding the accepted events into every stream they touch.
struct World {
    var client = ClientState(id: Fixture.clientID)
    var technicians: [TechnicianID: TechnicianState] = [:]
    var location = LocationState(id: Fixture.locationID)
    var batch = PigmentBatchState(id: Fixture.batchNumber)
    var instructionSet = InstructionSetState(id: Fixture.instructionSetID)
    var settings = ClinicSettings.standard
    var locationSettings: [LocationID: ClinicSettings] = [:]
    var consentForms = ConsentForms()
    var now = Fixture.date("2026-01-05")

    /// Decides without folding.
    func decide(
        _ command: ClientCommand, technician: TechnicianID? = Fixture.technicianID,
        now: Date? = nil
    ) throws(Rejection) -> Decision {
        let context = DecisionContext(
            now: now ?? self.now, settings: settings, locationSettings: locationSettings,
            technician: technician.flatMap { technicians[$0] },
            location: location, pigmentBatch: batch, instructionSet: instructionSet, consentForms: consentForms)
        return try ClientDecider.decide(command, client: client, context: context)
    }

    /// Decides and folds; returns the decision.
    @discardableResult
    mutating func run(
        _ command: ClientCommand, technician: TechnicianID? = Fixture.technicianID,
        now: Date? = nil
    ) throws(Rejection) -> Decision {
        let decision = try decide(command, technician: technician, now: now)
        fold(decision)
        return decision
    }

    mutating func fold(_ decision: Decision) {
        for pending in decision.events {
            switch pending.event {
            case .client(let event): client.apply(event)
            case .technician(let event):
                if let id = pending.stream.technicianID {
                    technicians[id, default: TechnicianState(id: id)].apply(event)
                }
            case .pigmentBatch(let event): batch.apply(event)
            case .location(let event): location.apply(event)
            case .care(let event): instructionSet.apply(event)
            case .settings: break
            }
        }
    }

    /// The client's rejection for a command, or nil when accepted.
    func rejection(
        _ command: ClientCommand, technician: TechnicianID? = Fixture.technicianID,
        now: Date? = nil
    ) -> Rejection? {
        do {
            _ = try decide(command, technician: technician, now: now)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Building blocks

    /// A location, two certified technicians and a pigment batch, at 2025-12-01.
    static func clinic() throws -> World {
        var world = World()
        let setUp = Fixture.date("2025-12-01")
        world.location = LocationState.replay(
            id: Fixture.locationID,
            [
                .opened(
                    LocationOpened(
                        at: setUp, name: "Stipple NYC", city: "New York", timeZone: "America/New_York",
                        currency: .usd))
            ])
        for id in [Fixture.technicianID, Fixture.otherTechnicianID] {
            world.technicians[id] = TechnicianState.replay(
                id: id,
                [
                    .registered(TechnicianRegistered(at: setUp, displayName: "Tech \(id)", homeLocationID: nil)),
                    .certificationRecorded(
                        CertificationRecorded(
                            at: setUp, body: "ISMPA", certificateNumber: "C-1", issuedOn: Fixture.day("2025-01-01"),
                            expiresOn: Fixture.day("2027-12-31"))),
                ])
        }
        world.batch = PigmentBatchState.replay(
            id: Fixture.batchNumber,
            [
                .received(
                    PigmentBatchReceived(
                        at: setUp, product: "Scalp Pigment Dark", batchNumber: Fixture.batchNumber,
                        expiresOn: Fixture.day("2027-06-30"), supplier: "DermaBlend"))
            ])
        return world
    }

    /// `clinic()` plus a registered adult client (born 1985-05-05).
    static func withClient(born: String = "1985-05-05") throws -> World {
        var world = try clinic()
        try world.run(.register(registration(born: born, at: Fixture.date("2026-01-02"))))
        return world
    }

    static func registration(born: String = "1985-05-05", at: Date) -> ClientRegistered {
        ClientRegistered(
            at: at,
            personal: PersonalDetails(
                fullName: "Sam Client", contact: ContactDetails(email: "sam@example.com"),
                dateOfBirth: Fixture.day(born)))
    }

    static let consultationID = Fixture.uuid(0xC0)
    static let consentID = Fixture.uuid(0xCC)

    /// `withClient()` plus screening, consent (treatment, clinical and marketing photos), a held consultation and a
    /// package plan of 3 sessions for USD 2,400 with a USD 300 deposit due: ready to book session 1.
    static func readyForSessions(
        born: String = "1985-05-05",
        contraindications: [Contraindication] = []
    ) throws -> World {
        var world = try withClient(born: born)
        let at = Fixture.date("2026-01-02", hour: 10)
        try world.run(.recordScreening(screening(at: at, contraindications: contraindications)))
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: at, consentID: consentID, formVersion: "2023-06",
                    scopes: [.treatment, .clinicalPhotos, .marketingPhotos])))
        try world.run(
            .bookConsultation(
                ConsultationBooked(
                    at: at, appointmentID: consultationID,
                    slot: TimeSlot(
                        start: Fixture.date("2026-01-03", hour: 10),
                        minutes: 60),
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID)))
        try world.run(.holdConsultation(held(at: Fixture.date("2026-01-03", hour: 10))))
        try world.run(
            .agreeTreatmentPlan(
                TreatmentPlanAgreed(
                    at: Fixture.date("2026-01-03", hour: 11), sessionsPlanned: 3,
                    pricing: PlanPricing(model: .package, price: Fixture.usd(2400)), depositDue: Fixture.usd(300))))
        return world
    }

    static func screening(at: Date, contraindications: [Contraindication] = []) -> MedicalScreeningRecorded {
        MedicalScreeningRecorded(
            at: at, fitzpatrick: .iii, hairLoss: .norwood(4), scalpOiliness: .normal,
            contraindications: contraindications,
            personal: ScreeningPersonal(currentMedications: ["Finasteride"], medicalNotes: "None"))
    }

    static func held(at: Date, appointment: AppointmentID = consultationID) -> ConsultationHeld {
        ConsultationHeld(
            at: at, appointmentID: appointment,
            assessment: ScalpAssessment(
                hairLoss: .norwood(4), pattern: "receding", skinTone: .iii,
                naturalHairColour: "dark brown"),
            design: HairlineDesign(shape: .mature, edgeSoftness: .soft, heightCentimetres: 7.5, symmetry: .symmetric),
            chosenShade: "Medium Brown", targetDensity: 0.85, treatedAreaSquareCentimetres: 300, sessionsPlanned: 3,
            quotedPrice: Fixture.usd(2400), statedGoals: "Look like a buzz cut")
    }

    /// A session booking command.
    static func booking(
        _ number: Int, id: AppointmentID, start: Date, technician: TechnicianID = Fixture.technicianID,
        minutes: Int = 180, at: Date? = nil,
        override: ContraindicationOverride? = nil
    ) -> ClientCommand {
        .bookSession(
            SessionBooked(
                at: at ?? min(start.addingTimeInterval(-7 * 86_400), Fixture.date("2026-01-05")), appointmentID: id,
                sessionNumber: number,
                slot: TimeSlot(start: start, minutes: minutes), locationID: Fixture.locationID,
                technicianID: technician,
                contraindicationOverride: override))
    }

    static func performing(
        _ number: Int, id: AppointmentID, at: Date,
        technician: TechnicianID = Fixture.technicianID
    ) -> ClientCommand {
        .performSession(
            SessionPerformed(
                at: at, appointmentID: id, sessionNumber: number,
                locationID: Fixture.locationID, technicianID: technician,
                treatment: Fixture.treatment()))
    }

    /// Books and performs a whole course of `sessions` sessions, 14 days apart, from `first`.
    mutating func completeCourse(sessions: Int = 3, first: Date = Fixture.date("2026-01-12")) throws {
        for number in 1...sessions {
            let start = first.addingTimeInterval(Double(number - 1) * 14 * 86_400)
            let id = Fixture.uuid(0x5E00 + number)
            try run(Self.booking(number, id: id, start: start), now: start)
            try run(Self.performing(number, id: id, at: start), now: start)
        }
    }
}
