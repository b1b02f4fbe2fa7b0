import Clinic
import ClinicService
import EventStore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST` routes for every domain command, each a resource under its stream.
///
/// Bodies are the payload of the event the command asks for (see `docs/clinic-domain.md`);
/// `at` may be left out (the server's time). A client that does not exist is a **404**
/// (`clientNotRegistered`); every other domain rejection is a 422 with its message.
struct CommandRoutes {
    let routes: APIRoutes
    let handler: CommandHandler
    let idempotency: IdempotencyStore
    let bodyLimit: Int

    func register() {
        registerClient()
        client("screenings", MedicalScreeningRecorded.self, "Record a medical screening") { .recordScreening($0) }
        client("consents", ConsentSigned.self, "Record a signed consent") { .signConsent($0) }
        client("consent-withdrawals", ConsentWithdrawn.self, "Withdraw consent") { .withdrawConsent($0) }
        client("consultations", ConsultationBooked.self, "Book a consultation") { .bookConsultation($0) }
        client("consultation-reschedules", ConsultationRescheduled.self, "Reschedule a consultation") {
            .rescheduleConsultation($0)
        }
        client("consultation-cancellations", ConsultationCancelled.self, "Cancel a consultation") {
            .cancelConsultation($0)
        }
        client("consultation-no-shows", ConsultationNoShow.self, "Record a consultation no-show") {
            .markConsultationNoShow($0)
        }
        client("consultations-held", ConsultationHeld.self, "Record a consultation held") { .holdConsultation($0) }
        client("instructions", InstructionsGiven.self, "Give care instructions from a set, for an appointment") {
            .giveInstructions($0)
        }
        client(
            "instruction-acknowledgements", InstructionsAcknowledged.self,
            "Record the client's acknowledgement of instructions"
        ) { .acknowledgeInstructions($0) }
        client("treatment-plans", TreatmentPlanAgreed.self, "Agree a treatment plan") { .agreeTreatmentPlan($0) }
        client("deposits", DepositTaken.self, "Take a deposit") { .takeDeposit($0) }
        client("deposit-applications", DepositApplied.self, "Apply a deposit") { .applyDeposit($0) }
        client("deposit-forfeits", DepositForfeited.self, "Forfeit a deposit") { .forfeitDeposit($0) }
        client(
            "deposit-forfeit-reversals", DepositForfeitReversed.self,
            "Reverse a deposit's forfeit (the deposit policy's or staff's): the deposit is held again"
        ) { .reverseDepositForfeit($0) }
        client("sessions", SessionBooked.self, "Book a session") { .bookSession($0) }
        client("session-cancellations", SessionCancelled.self, "Cancel a session or touch-up") { .cancelSession($0) }
        client("session-no-shows", SessionNoShow.self, "Record a session or touch-up no-show") {
            .markSessionNoShow($0)
        }
        client("sessions-performed", SessionPerformed.self, "Record a session performed") { .performSession($0) }
        client("healing-checks", HealingCheckRecorded.self, "Record a healing check") { .recordHealingCheck($0) }
        // Photos are uploaded with their bytes at /photos (PhotoRoutes); this logs a photo record only (imports and
        // replays of photos whose bytes are kept elsewhere): it lists with `stored: false` and has no image.
        client("photo-records", PhotoLogged.self, "Log a photo record without its image") { .logPhoto($0) }
        client("marketing-approvals", PhotoApprovedForMarketing.self, "Approve a photo for marketing") {
            .approvePhotoForMarketing($0)
        }
        client("fade-observations", FadeObserved.self, "Record a fade observation") { .observeFade($0) }
        client("touch-up-recommendations", TouchUpRecommended.self, "Recommend a touch-up") { .recommendTouchUp($0) }
        client("touch-ups", TouchUpBooked.self, "Book a touch-up") { .bookTouchUp($0) }
        client("touch-ups-performed", TouchUpPerformed.self, "Record a touch-up performed") { .performTouchUp($0) }
        client("adverse-reactions", AdverseReactionReported.self, "Report an adverse reaction") {
            .reportAdverseReaction($0)
        }
        client("complaints", ComplaintRecorded.self, "Record a complaint about a result") { .recordComplaint($0) }
        client("correction-bookings", CorrectionBooked.self, "Book a correction or removal session") {
            .bookCorrection($0)
        }
        client("corrections", CorrectionPerformed.self, "Record a correction performed (booked, or by a partner)") {
            .performCorrection($0)
        }
        client("testimonials", TestimonialRecorded.self, "Record a testimonial") { .recordTestimonial($0) }
        client("payments", PaymentReceived.self, "Receive a payment") { .receivePayment($0) }
        client("refunds", RefundIssued.self, "Issue a refund") { .issueRefund($0) }
        client("erasures", ClientForgotten.self, "Forget the client (erase personal data)") { .forget($0) }
        registerSetup()
    }

    // MARK: - Client

    private func registerClient() {
        let handler = self.handler
        command(.post, "/v1/clients", body: ClientRegistered.typeName, summary: "Register a client") {
            object, _, metadata in
            let payload = try CommandBody.decode(ClientRegistered.self, from: object)
            let id: ClientID
            if let text = try CommandBody.string("clientID", in: object) {
                guard let parsed = UUID(uuidString: text) else {
                    throw Problem.badRequest("clientID must be a UUID", field: "clientID")
                }
                id = parsed
            } else {
                id = UUID()
            }
            let outcome = try await handler.handle(.register(payload), client: id, metadata: metadata)
            return try Self.reply(outcome, extra: ["clientID": id.uuidString.lowercased()])
        }
    }

    private func client<Payload: EventPayload>(
        _ resource: String, _ type: Payload.Type, _ summary: String,
        _ make: @escaping @Sendable (Payload) -> ClientCommand
    ) {
        let handler = self.handler
        command(.post, "/v1/clients/{id}/\(resource)", body: Payload.typeName, summary: summary) {
            object, context, metadata in
            let id = try Self.clientID(context)
            let payload = try CommandBody.decode(Payload.self, from: object)
            let outcome = try await handler.handle(make(payload), client: id, metadata: metadata)
            return try Self.reply(outcome, extra: ["clientID": id.uuidString.lowercased()])
        }
    }

    // MARK: - Technicians, locations, pigment batches

    private func registerSetup() {
        let handler = self.handler
        command(.post, "/v1/technicians", body: TechnicianRegistered.typeName, summary: "Register a technician") {
            object, _, metadata in
            let id = try Self.identifier("technicianID", in: object, TechnicianID.init)
            let payload = try CommandBody.decode(TechnicianRegistered.self, from: object)
            return try Self.reply(try await handler.handle(.register(payload), technician: id, metadata: metadata))
        }
        command(
            .post, "/v1/technicians/{id}/certifications", body: CertificationRecorded.typeName,
            summary: "Record a technician's certification"
        ) { object, context, metadata in
            let id = try Self.pathIdentifier(context, "technician", TechnicianID.init)
            let payload = try CommandBody.decode(CertificationRecorded.self, from: object)
            return try Self.reply(
                try await handler.handle(.recordCertification(payload), technician: id, metadata: metadata))
        }
        command(
            .post, "/v1/technicians/{id}/deactivations", body: TechnicianDeactivated.typeName,
            summary: "Deactivate a technician"
        ) { object, context, metadata in
            let id = try Self.pathIdentifier(context, "technician", TechnicianID.init)
            let payload = try CommandBody.decode(TechnicianDeactivated.self, from: object)
            return try Self.reply(try await handler.handle(.deactivate(payload), technician: id, metadata: metadata))
        }
        command(.post, "/v1/locations", body: LocationOpened.typeName, summary: "Open a location") {
            object, _, metadata in
            let id = try Self.identifier("locationID", in: object, LocationID.init)
            let payload = try CommandBody.decode(LocationOpened.self, from: object)
            return try Self.reply(try await handler.handle(.open(payload), location: id, metadata: metadata))
        }
        command(.post, "/v1/locations/{id}/hours", body: LocationHoursSet.typeName, summary: "Set opening hours") {
            object, context, metadata in
            let id = try Self.pathIdentifier(context, "location", LocationID.init)
            let payload = try CommandBody.decode(LocationHoursSet.self, from: object)
            return try Self.reply(try await handler.handle(.setHours(payload), location: id, metadata: metadata))
        }
        command(
            .post, "/v1/instruction-sets", body: InstructionSetPublished.typeName,
            summary: "Publish a care instruction set (version 1)"
        ) { object, _, metadata in
            let id = try Self.identifier("instructionSetID", in: object, InstructionSetID.init)
            let payload = try CommandBody.decode(InstructionSetPublished.self, from: object)
            return try Self.reply(try await handler.handle(.publish(payload), instructionSet: id, metadata: metadata))
        }
        command(
            .post, "/v1/instruction-sets/{id}/revisions", body: InstructionSetRevised.typeName,
            summary: "Revise a care instruction set (the next version)"
        ) { object, context, metadata in
            let id = try Self.pathIdentifier(context, "instruction set", InstructionSetID.init)
            let payload = try CommandBody.decode(InstructionSetRevised.self, from: object)
            return try Self.reply(try await handler.handle(.revise(payload), instructionSet: id, metadata: metadata))
        }
        command(
            .post, "/v1/settings", body: ClinicSettingsChanged.typeName,
            summary: "Change the clinic's settings, clinic-wide or for one location (who and why required)"
        ) { object, _, metadata in
            let payload = try CommandBody.decode(ClinicSettingsChanged.self, from: object)
            return try Self.reply(try await handler.handle(.change(payload), metadata: metadata))
        }
        command(
            .post, "/v1/settings/consent-forms", body: ConsentFormPublished.typeName,
            summary: "Publish a consent form version (its SHA-256; requiresReconsent blocks treatment until signed)"
        ) { object, _, metadata in
            let payload = try CommandBody.decode(ConsentFormPublished.self, from: object)
            return try Self.reply(try await handler.handle(.publishConsentForm(payload), metadata: metadata))
        }
        command(
            .post, "/v1/pigment-batches", body: PigmentBatchReceived.typeName, summary: "Receive a pigment batch"
        ) { object, _, metadata in
            let payload = try CommandBody.decode(PigmentBatchReceived.self, from: object)
            return try Self.reply(
                try await handler.handle(.receive(payload), batch: payload.batchNumber, metadata: metadata))
        }
        command(
            .post, "/v1/pigment-batches/{id}/recalls", body: PigmentBatchRecalled.typeName,
            summary: "Recall a pigment batch"
        ) { object, context, metadata in
            let id = try Self.pathIdentifier(context, "pigment batch", PigmentBatchNumber.init)
            let payload = try CommandBody.decode(PigmentBatchRecalled.self, from: object)
            return try Self.reply(try await handler.handle(.recall(payload), batch: id, metadata: metadata))
        }
    }

    // MARK: - Plumbing

    typealias Work = @Sendable (JSONValue, BasicRequestContext, EventMetadata) async throws -> Reply

    /// Registers a command route: body limit, JSON parsing, idempotency and error mapping.
    private func command(
        _ method: HTTPRequest.Method, _ path: String, body: String, summary: String, _ work: @escaping Work
    ) {
        let idempotency = self.idempotency
        let limit = bodyLimit
        let clock = handler.clock
        routes.add(method, path, .command, summary: summary, body: body, success: 201) { request, context, caller in
            var request = request
            try RequestDecoding.checkMediaType(request.headers[.contentType])
            let data = try await request.bodyData(limit: limit)
            let key = request.headers[.idempotencyKey]
            let headers = request.headers
            return try await idempotency.run(
                key: key, caller: caller, method: request.method.rawValue, path: request.uri.path, body: data,
                recover: { written in try Self.reply(written, clientRoute: path.hasPrefix("/v1/clients")) }
            ) {
                let object = try CommandBody.object(data, now: clock())
                var extra: [String: String] = [:]
                if let id = caller.key?.id { extra["api_key_id"] = id.uuidString.lowercased() }
                if let key { extra["idempotency_key"] = key }
                let metadata = EventMetadata(
                    actor: caller.actor, correlationID: CorrelationID.of(headers), extra: extra)
                do {
                    return try await work(object, context, metadata)
                } catch let failure as CommandHandler.Failure {
                    throw Self.problem(failure)
                } catch let error as EventStoreError {
                    if case .wrongExpectedVersion = error { throw Problem.conflict(error.description) }
                    throw error
                }
            }
        }
    }

    static func problem(_ failure: CommandHandler.Failure) -> Problem {
        switch failure {
        case .rejected(.clientNotRegistered(let id)):
            return .notFound("client \(id.uuidString.lowercased()) is not registered")
        case .rejected(let rejection):
            var problem = Problem.rejected(rejection.message)
            if case .invalidValue(let field, _) = rejection { problem.field = field }
            return problem
        case .unreadableHistory:
            return Problem(
                .internalServerError, kind: "internal", title: "Internal error",
                detail: "the stream's history could not be read; the failure was logged")
        }
    }

    static func reply(_ outcome: CommandHandler.Outcome, extra: [String: String] = [:]) throws -> Reply {
        try reply(
            outcome.events.map { event in
                WrittenEvent(
                    id: event.id, stream: event.stream, version: event.version, position: event.position,
                    type: event.type)
            }, token: outcome.token, extra: extra)
    }

    /// The answer of a command whose events an earlier, interrupted attempt appended: the same
    /// answer that attempt would have given (a client route's answer names the client).
    static func reply(_ events: [WrittenEvent], clientRoute: Bool) throws -> Reply {
        var extra: [String: String] = [:]
        let prefix = Clinic.StreamName.clientCategory + "-"
        if clientRoute, let stream = events.first(where: { $0.stream.hasPrefix(prefix) })?.stream {
            extra["clientID"] = String(stream.dropFirst(prefix.count))
        }
        return try reply(events, token: Checkpoint(position: events.last?.position ?? 0).token, extra: extra)
    }

    static func reply(_ events: [WrittenEvent], token: String, extra: [String: String]) throws -> Reply {
        var object: [String: Any] = [
            "token": token,
            "events": events.map { event in
                [
                    "id": event.id.uuidString.lowercased(), "stream": event.stream, "version": event.version,
                    "position": event.position, "type": event.type,
                ] as [String: Any]
            },
        ]
        for (key, value) in extra { object[key] = value }
        return Reply(
            status: 201, body: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func clientID(_ context: BasicRequestContext) throws -> ClientID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem.notFound("no client with that id (client ids are UUIDs)")
        }
        return id
    }

    static func pathIdentifier<ID>(_ context: BasicRequestContext, _ kind: String, _ make: (String) -> ID?) throws
        -> ID
    {
        guard let text = context.parameters.get("id"), let id = make(text) else {
            throw Problem.notFound("no \(kind) with that id")
        }
        return id
    }

    static func identifier<ID>(_ key: String, in object: JSONValue, _ make: (String) -> ID?) throws -> ID {
        guard let text = try CommandBody.string(key, in: object) else {
            throw Problem.badRequest("\(key) is required", field: key)
        }
        guard let id = make(text) else { throw Problem.badRequest("\(key) is not a valid identifier", field: key) }
        return id
    }
}
