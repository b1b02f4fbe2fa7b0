import Clinic
import ClinicService
import EventStore
import Foundation
import Hummingbird
import Projections

extension ConsoleRoutes {
    /// Where the handler's field paths land on the console's forms.
    static let fieldAliases: [String: String] = [
        "amount.minorUnits": "amount", "amount.currency": "currency", "slot": "start", "slot.start": "start",
        "slot.end": "minutes", "paymentID": "amount", "appointmentID": "start",
    ]

    func registerForms(_ router: ConsoleRouter) {
        let routes = self
        form(router, "/console/clients", command: true) { _, _, session, fields in
            try await routes.registerClient(session, fields)
        }
        form(router, "/console/clients/{id}/payments", command: true) { _, context, session, fields in
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
                return routes.message(session, title: "No such client", status: .notFound, "Client ids are UUIDs.")
            }
            return try await routes.recordPayment(id, session, fields)
        }
        form(router, "/console/clients/{id}/consultations", command: true) { _, context, session, fields in
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
                return routes.message(session, title: "No such client", status: .notFound, "Client ids are UUIDs.")
            }
            return try await routes.bookConsultation(id, session, fields)
        }
    }

    // MARK: - Register a client

    func registerClient(_ session: ConsoleSession, _ fields: [String: String]) async throws -> Response {
        var form = ConsoleForm.registration().filled(fields)
        var contact: [String: Any] = [:]
        if let email = form.value("personal.contact.email") { contact["email"] = email }
        if let phone = form.value("personal.contact.phone") { contact["phone"] = phone }
        var personal: [String: Any] = ["contact": contact]
        if let name = form.value("personal.fullName") { personal["fullName"] = name }
        if let birth = form.value("personal.dateOfBirth") { personal["dateOfBirth"] = birth }
        var object: [String: Any] = ["at": BusinessTime.iso(handler.clock()), "personal": personal]
        if let referral = form.value("referralSource") { object["referralSource"] = referral }
        let id = UUID()
        let outcome = await run(&form) {
            let payload = try payload(ClientRegistered.self, object)
            return try await handler.handle(.register(payload), client: id, metadata: metadata(session))
        }
        guard let outcome else {
            return try await clients(session, query: nil, form: form, status: .unprocessableContent)
        }
        await waitForProjections(outcome, names: ["timeline", "search"])
        return Self.redirect("/console/clients/\(id.uuidString.lowercased())")
    }

    // MARK: - Record a payment

    func recordPayment(_ id: UUID, _ session: ConsoleSession, _ fields: [String: String]) async throws -> Response {
        var form = ConsoleForm.payment(currency: nil, locations: []).filled(fields)
        // The options shown again come from the schedule, as on the page.
        let locations = try await ScheduleQueries(pool: store.pool).locations()
        let choices = locations.map { ConsoleForm.Option(value: $0.id, label: $0.name ?? $0.id) }
        form.fields[4].options = [ConsoleForm.Option(value: "", label: "—")] + choices
        var object: [String: Any] = [
            "at": BusinessTime.iso(handler.clock()), "paymentID": UUID().uuidString.lowercased(),
            "method": form.value("method") ?? "", "purpose": form.value("purpose") ?? "",
        ]
        if let location = form.value("locationID") { object["locationID"] = location }
        if let text = form.value("amount") {
            if let minor = ConsoleForm.minorUnits(text) {
                object["amount"] = ["minorUnits": minor, "currency": form.value("currency") ?? ""]
            } else {
                form.attach("amount must be a positive amount such as 120 or 120.50", to: "amount")
            }
        } else {
            form.attach("amount is required", to: "amount")
        }
        var outcome: CommandHandler.Outcome?
        if !form.hasErrors {
            outcome = await run(&form) {
                let payload = try payload(PaymentReceived.self, object)
                return try await handler.handle(.receivePayment(payload), client: id, metadata: metadata(session))
            }
        }
        guard let outcome else {
            return try await client(id, session, payment: form, status: .unprocessableContent)
        }
        await waitForProjections(outcome, names: ["timeline", "revenue"])
        return Self.redirect("/console/clients/\(id.uuidString.lowercased())")
    }

    // MARK: - Book a consultation

    func bookConsultation(_ id: UUID, _ session: ConsoleSession, _ fields: [String: String]) async throws -> Response {
        let schedule = ScheduleQueries(pool: store.pool)
        let locations = try await schedule.locations()
        var form = ConsoleForm.consultation(locations: locations, technicians: try await schedule.technicians())
            .filled(fields)
        var object: [String: Any] = [
            "at": BusinessTime.iso(handler.clock()), "appointmentID": UUID().uuidString.lowercased(),
            "locationID": form.value("locationID") ?? "", "technicianID": form.value("technicianID") ?? "",
        ]
        let zone = locations.first { $0.id == form.value("locationID") }?.timeZone
        let minutes = form.value("minutes").flatMap(Int.init)
        if minutes == nil || !(15...600).contains(minutes ?? 0) {
            form.attach("minutes must be a whole number from 15 to 600", to: "minutes")
        }
        if let zone, TimeZone.known(zone) == nil {
            // A name written before locations' zones were checked: a local time cannot be read in it.
            form.attach(
                "this location's time zone \(zone.prefix(64)) is not known here, so a local start time cannot be read "
                    + "in it; book through the API with a UTC time", to: "locationID")
        } else if let text = form.value("start"), let start = Self.localTime(text, zone: zone) {
            object["slot"] = [
                "start": BusinessTime.iso(start),
                "end": BusinessTime.iso(start.addingTimeInterval(Double((minutes ?? 60) * 60))),
            ]
        } else {
            form.attach("start must be a date and time such as 2026-12-07T10:30", to: "start")
        }
        var outcome: CommandHandler.Outcome?
        if !form.hasErrors {
            outcome = await run(&form) {
                let payload = try payload(ConsultationBooked.self, object)
                return try await handler.handle(.bookConsultation(payload), client: id, metadata: metadata(session))
            }
        }
        guard let outcome else {
            return try await client(id, session, consultation: form, status: .unprocessableContent)
        }
        await waitForProjections(outcome, names: ["timeline", "schedule"])
        return Self.redirect("/console/clients/\(id.uuidString.lowercased())")
    }

    // MARK: - Shared

    /// The form's values as the API would read them: the same JSON parsing and decoding as a command body.
    func payload<Payload: Decodable>(_ type: Payload.Type, _ object: [String: Any]) throws -> Payload {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try CommandBody.decode(Payload.self, from: CommandBody.object(data, now: handler.clock()))
    }

    /// Runs a command; a refusal (a bad field, a domain rule, a conflict) goes onto the form, as the API
    /// words it, and gives nil.
    func run(_ form: inout ConsoleForm, _ work: () async throws -> CommandHandler.Outcome) async
        -> CommandHandler.Outcome?
    {
        do {
            return try await work()
        } catch let problem as Problem {
            form.attach(problem.detail, to: problem.field, aliases: Self.fieldAliases)
        } catch let failure as CommandHandler.Failure {
            let problem = CommandRoutes.problem(failure)
            form.attach(problem.detail, to: problem.field, aliases: Self.fieldAliases)
        } catch let error as EventStoreError {
            form.attach(error.description, to: nil)
        } catch {
            form.attach("The command could not be run; try again. (The failure was logged.)", to: nil)
        }
        return nil
    }

    /// The metadata the API gives a command, with the console as the door.
    func metadata(_ session: ConsoleSession) -> EventMetadata {
        EventMetadata(
            actor: session.actor, correlationID: CorrelationID.of(),
            extra: ["api_key_id": session.key.id.uuidString.lowercased(), "channel": "console"])
    }

    /// Waits (up to 3 s) until the named projections have applied the command's events, so the page the
    /// browser is sent to next shows them; when no runner follows the log, the wait ends after those 3 s.
    func waitForProjections(_ outcome: CommandHandler.Outcome, names: Set<String>) async {
        guard let target = outcome.events.map(\.position).max() else { return }
        await waitForProjections(upTo: target, names: names)
    }

    /// Waits (up to 3 s) until the named projections have applied the log up to `target`.
    func waitForProjections(upTo target: Int64, names: Set<String>) async {
        await projections.wait(until: target, for: names, timeout: .seconds(3))
    }

    /// `2026-12-07T10:30` in the IANA zone `zone` (UTC when unknown).
    static func localTime(_ text: String, zone: String?) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = TimeZone.location(zone)
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
