import Clinic
import EventStore
import Foundation

/// Every client's history as readable entries, with the money position and the next appointment.
///
/// Table: `timeline_clients` (one row per client). The entries (one per event of the client's stream that a
/// person would want to read) are not stored: `TimelineQueries.timeline` folds them from the client's stream
/// with the same steps (`advance`), up to the position the projection (or an as-of snapshot) stands at; they
/// were nine rows in ten of every projection row a rebuild wrote. Personal data (the name) is only in
/// `timeline_clients.display_name` and is cleared when the client is forgotten; entries never carry personal
/// details or medical notes.
public struct TimelineProjection: FoldingProjection {
    public let name = "timeline"
    /// v2: enum values shown by their wire names (`bank-transfer`). v3: entries read as sentences (who cancelled
    /// which appointment and why, "no hairline drawn" for diffuse thinning, photos by stage and view). v4: a photo
    /// entry names its photo's content hash, so readers link it to the image.
    /// v5: instructions name their care set and version; acknowledgements are entries.
    /// v6: an entry names the location it happened at or is about (so readers show its times in that location's
    /// zone), a client their next appointment's location and the last location they were booked at. v7: refund and
    /// forfeit reasons are personal (sealed in the event) and no longer copied into entries; the deposit policy's
    /// moves say so.
    /// v8: complaints and correction bookings are entries; a booked correction's quote is charged when performed.
    /// v9: fold states stored as `json` text, not `jsonb`. v10: no `timeline_entries` table (entries are folded from
    /// the client's stream when read).
    public let version = 10

    public init() {}

    /// What the fold remembers about one client between batches.
    public struct State: Codable, Sendable {
        public var clientID: String
        public var displayName: String?
        public var erased = false
        public var registeredAt: Date?
        public var currency: String?
        public var paid: Int64 = 0
        public var refunded: Int64 = 0
        /// What the client has agreed to pay: the plan's total, plus each touch-up performed.
        public var charged: Int64 = 0
        public var sessionsPerformed = 0
        public var touchUpsPerformed = 0
        /// Booked appointments not yet performed, cancelled or missed.
        public var open: [String: Appointment] = [:]
        public var touchUpQuotes: [String: Int64] = [:]
        public var lastEventAt: Date?
        /// The location of the client's latest appointment event so far (where their entries' times are read).
        public var lastLocation: String?

        public struct Appointment: Codable, Sendable, Hashable {
            public var startsAt: Date
            public var kind: String
            public var technician: String
            public var location: String
        }
    }

    public var tables: [TableSpec] {
        [
            TableSpec(
                name: "timeline_clients",
                columns: [
                    .init("client_id", "uuid NOT NULL"), .init("display_name", "text"),
                    .init("erased", "boolean NOT NULL"), .init("registered_at", "timestamptz"),
                    .init("currency", "text"), .init("paid_minor", "bigint NOT NULL"),
                    .init("refunded_minor", "bigint NOT NULL"), .init("charged_minor", "bigint NOT NULL"),
                    .init("balance_minor", "bigint NOT NULL"), .init("sessions_performed", "integer NOT NULL"),
                    .init("touch_ups_performed", "integer NOT NULL"), .init("next_appointment_at", "timestamptz"),
                    .init("next_appointment_kind", "text"), .init("last_event_at", "timestamptz"),
                    .init("next_appointment_location", "text"), .init("last_location", "text"),
                ],
                primaryKey: ["client_id"], mode: .upsert, indexes: ["next_appointment_at"])
        ]
    }

    public func stateKey(for stream: EventStreamName) -> String? {
        stream.category == "client" ? stream.id : nil
    }

    /// The client's stream: `client-` and the key.
    public func stream(forKey key: String) -> EventStreamName? {
        (try? EventStreamName(category: "client", id: key)).flatMap { stateKey(for: $0) == key ? $0 : nil }
    }

    /// The table is keyed by the client's stream id.
    public var tablesKeyedByStream: Set<String> { ["timeline_clients"] }

    public func initialState(for key: String) -> State { State(clientID: key) }

    /// The content hash of the photo a `photo-logged` entry is about (the image's id under the client), else nil.
    static func photoHash(_ event: ClientEvent) -> String? {
        if case .photoLogged(let photo) = event { return photo.contentHash }
        return nil
    }

    public func fold(
        _ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    )
        throws
    {
        guard case .client(let clientEvent) = event else { return }
        _ = Self.advance(&state, clientEvent, at: event.at, position: recorded.position, describing: false)
        // The client's row depends on the state alone: written by `finish`, once per batch live and once per
        // client in a rebuild, instead of once per event.
        output.markPending(state.clientID, at: event.at)
    }

    /// One event of the client's stream: its effect on `state`, and the entry a person reads for it (nil for an
    /// event with none, and always without `describing`). The fold (not describing: it keeps only the effect) and
    /// `entries(of:client:)` both take each event through here.
    static func advance(
        _ state: inout State, _ event: ClientEvent, at: Date, position: Int64, describing: Bool = true
    ) -> ClientTimeline.Entry? {
        state.lastEventAt = at
        // Read before the entry closes the appointment it is about.
        let ownLocation = location(of: event, open: state.open)
        let location = ownLocation ?? state.lastLocation
        if let ownLocation { state.lastLocation = ownLocation }
        guard let (kind, summary) = entry(for: event, state: &state, describing: describing), describing else {
            return nil
        }
        return ClientTimeline.Entry(
            position: position, at: at, kind: kind, summary: summary, photoHash: photoHash(event), location: location)
    }

    /// The entries of one client's events (`items`, the client's stream in order, from its first event), as the
    /// fold sees them; an event that cannot be decoded throws its `ProjectionFailure`.
    public static func entries(of items: [ProjectionBatch.Item], client: String) throws -> [ClientTimeline.Entry] {
        var state = State(clientID: client)
        var entries: [ClientTimeline.Entry] = []
        for item in items {
            let event = try item.clinicEvent(for: "timeline")
            guard case .client(let clientEvent) = event else { continue }
            if let entry = advance(&state, clientEvent, at: event.at, position: item.recorded.position) {
                entries.append(entry)
            }
        }
        return entries
    }

    /// The client's row (`timeline_clients`), from the state after the batch.
    public func finish(_ state: State, key: String, into output: inout ProjectionOutput) throws {
        guard output.pendingTime(for: key) != nil else { return }
        let next = state.open.values.min { $0.startsAt < $1.startsAt }
        try output.write(
            "timeline_clients",
            [
                "client_id": .text(state.clientID), "display_name": state.displayName.rowValue,
                "erased": .bool(state.erased), "registered_at": state.registeredAt.rowValue,
                "currency": state.currency.rowValue, "paid_minor": .int(state.paid),
                "refunded_minor": .int(state.refunded), "charged_minor": .int(state.charged),
                "balance_minor": .int(state.charged - (state.paid - state.refunded)),
                "sessions_performed": .int(Int64(state.sessionsPerformed)),
                "touch_ups_performed": .int(Int64(state.touchUpsPerformed)),
                "next_appointment_at": next.map { RowValue.date($0.startsAt) } ?? .null,
                "next_appointment_kind": next.map { RowValue.text($0.kind) } ?? .null,
                "last_event_at": state.lastEventAt.rowValue,
                "next_appointment_location": next.map { RowValue.text($0.location) } ?? .null,
                "last_location": state.lastLocation.rowValue,
            ])
    }

    /// The location an event happened at or is about: its own location, or that of the open appointment it
    /// names; nil for events of no place (registration, consent, …).
    static func location(of event: ClientEvent, open: [String: State.Appointment]) -> String? {
        func booked(_ id: AppointmentID?) -> String? { id.flatMap { open[$0.upperText]?.location } }
        switch event {
        case .consultationBooked(let e): return e.locationID.rawValue
        case .consultationRescheduled(let e): return e.locationID.rawValue
        case .sessionBooked(let e): return e.locationID.rawValue
        case .sessionPerformed(let e): return e.locationID.rawValue
        case .touchUpBooked(let e): return e.locationID.rawValue
        case .touchUpPerformed(let e): return e.locationID.rawValue
        case .correctionBooked(let e): return e.locationID.rawValue
        case .correctionPerformed(let e): return e.locationID?.rawValue ?? booked(e.appointmentID)
        case .paymentReceived(let e): return e.locationID?.rawValue
        case .consultationHeld(let e): return booked(e.appointmentID)
        case .consultationCancelled(let e): return booked(e.appointmentID)
        case .consultationNoShow(let e): return booked(e.appointmentID)
        case .sessionCancelled(let e): return booked(e.appointmentID)
        case .sessionNoShow(let e): return booked(e.appointmentID)
        case .photoLogged(let e): return booked(e.appointmentID)
        case .instructionsGiven(let e): return booked(e.appointmentID)
        default: return nil
        }
    }

    /// An enum's wire name (`bank-transfer`) rather than its Swift case name (`bankTransfer`). (Generic, not
    /// `Any` with a dynamic cast to `RawRepresentable`: that cast was a visible share of the timeline's fold.)
    static func label<Value: RawRepresentable>(_ value: Value) -> String where Value.RawValue == String {
        value.rawValue
    }

    /// An enum's wire name as words for a sentence (`bank transfer`, `widow's peak`).
    static func words<Value: RawRepresentable>(_ value: Value) -> String where Value.RawValue == String {
        let text = value.rawValue
        if text == "widows-peak" { return "widow's peak" }
        // Each hyphen becomes a space (byte for byte what `replacingOccurrences(of: "-", with: " ")` wrote,
        // without a trip through `NSString`).
        guard text.utf8.contains(UInt8(ascii: "-")) else { return text }
        return String(decoding: text.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    /// A size in bytes as megabytes with one decimal (`2.4 MB`), the text `String(format: "%.1f MB", …)`
    /// writes: by hand in integers unless the size lies exactly halfway between two tenths (where the
    /// formatter's rounding of the binary quotient decides) or is out of the usual range.
    static func megabytes(_ bytes: Int) -> String {
        let (tenths, rest) = bytes.quotientAndRemainder(dividingBy: 100_000)
        guard bytes >= 0, bytes < 1 << 52, rest != 50_000 else {
            return String(format: "%.1f MB", Double(bytes) / 1_000_000)
        }
        let rounded = rest > 50_000 ? tenths + 1 : tenths
        return "\(rounded / 10).\(rounded % 10) MB"
    }

    // The readable line for one event, and its effect on the running figures. Without `describing` the line's
    // sentence is left empty and not built (the fold keeps only the effect; a reader wants both): every change to
    // `state` happens outside the sentences, which `say` builds only when asked.
    static func entry(for event: ClientEvent, state: inout State, describing: Bool = true) -> (String, String)? {
        func book(
            _ id: AppointmentID, _ slot: TimeSlot, _ kind: String, _ technician: TechnicianID, _ location: LocationID
        ) {
            state.open[id.upperText] = State.Appointment(
                startsAt: slot.start, kind: kind, technician: technician.rawValue, location: location.rawValue)
        }
        func close(_ id: AppointmentID) { state.open[id.upperText] = nil }
        /// The first amount the client is charged or pays names their currency.
        func note(_ amounts: Money...) {
            for amount in amounts { state.currency = state.currency ?? amount.currency.code }
        }
        func money(_ amount: Money) -> String { amount.description }
        func say(_ sentence: @autoclosure () -> String) -> String { describing ? sentence() : "" }
        /// "Touch-up" from "touch-up": a sentence starting with a word.
        func capitalized(_ words: String) -> String { words.prefix(1).uppercased() + words.dropFirst() }
        func time(_ date: Date) -> String { ISO8601Text.secondsWithoutZone(date) }

        switch event {
        case .registered(let e):
            state.displayName = e.personal.fullName
            state.registeredAt = e.at
            return ("registered", say("Registered as a client" + (e.referralSource.map { " (referral: \($0))" } ?? "")))
        case .medicalScreeningRecorded(let e):
            return (
                "screening",
                say(
                    "Medical screening: Fitzpatrick type \(label(e.fitzpatrick)), \(e.hairLoss), \(words(e.scalpOiliness)) scalp, "
                        + (e.contraindications.isEmpty
                            ? "no contraindications"
                            : "contraindications: " + e.contraindications.map { label($0) }.joined(separator: ", "))
                )
            )
        case .consentSigned(let e):
            return (
                "consent",
                say("Consent form \(e.formVersion) signed for " + e.scopes.map { label($0) }.joined(separator: ", "))
            )
        case .consentWithdrawn(let e):
            return (
                "consent",
                say("Consent form \(e.formVersion) withdrawn for " + e.scopes.map { label($0) }.joined(separator: ", "))
            )
        case .consultationBooked(let e):
            book(e.appointmentID, e.slot, "consultation", e.technicianID, e.locationID)
            return (
                "consultation",
                say("Consultation booked for \(time(e.slot.start)) with \(e.technicianID) at \(e.locationID)")
            )
        case .consultationRescheduled(let e):
            book(e.appointmentID, e.slot, "consultation", e.technicianID, e.locationID)
            return (
                "consultation",
                say("Consultation moved to \(time(e.slot.start)) with \(e.technicianID) at \(e.locationID)")
            )
        case .consultationCancelled(let e):
            close(e.appointmentID)
            return ("cancellation", say("Consultation cancelled by the \(label(e.cancelledBy))" + because(e.reason)))
        case .consultationNoShow(let e):
            close(e.appointmentID)
            return ("no-show", say("Did not come to the consultation"))
        case .consultationHeld(let e):
            close(e.appointmentID)
            note(e.quotedPrice)
            func hairline() -> String {
                e.design.shape == .none
                    ? "no hairline drawn (\(e.assessment.pattern))" : "\(words(e.design.shape)) hairline"
            }
            return (
                "consultation",
                say(
                    "Consultation held: \(hairline()), shade \(e.chosenShade), target density "
                        + "\(Int((e.targetDensity * 100).rounded()))% over \(e.treatedAreaSquareCentimetres) cm², "
                        + "\(e.sessionsPlanned) sessions planned, quoted \(money(e.quotedPrice))")
            )
        case .instructionsGiven(let e):
            func source() -> String {
                if let set = e.instructionSetID, let version = e.instructionSetVersion {
                    "set \(set), version \(version)"
                } else {
                    e.legacyLabel ?? "no set recorded"
                }
            }
            return (
                "instructions",
                say(
                    "\(e.kind == .preCare ? "Pre-care" : "Aftercare") instructions given by \(words(e.channel)) (\(source()))"
                )
            )
        case .instructionsAcknowledged(let e):
            func how() -> String {
                switch e.method {
                case .signature: "signing the sheet"
                case .link: "the link sent to them"
                case .verbal: "telling staff"
                }
            }
            return (
                "instructions",
                say("\(e.kind == .preCare ? "Pre-care" : "Aftercare") instructions acknowledged by \(how())")
            )
        case .treatmentPlanAgreed(let e):
            let total = e.pricing.total(sessions: e.sessionsPlanned)
            state.charged += total.minorUnits
            note(total, e.depositDue)
            return (
                "plan",
                say(
                    "Treatment plan agreed: \(e.sessionsPlanned) sessions, \(money(total)), deposit due \(money(e.depositDue))"
                )
            )
        case .depositTaken(let e):
            state.paid += e.amount.minorUnits
            note(e.amount)
            return (
                "deposit",
                say(
                    "Deposit of \(money(e.amount)) taken by \(label(e.method))"
                        + (e.refundable ? "" : " (non-refundable)"))
            )
        case .depositApplied:
            return ("deposit", say("Deposit applied to the treatment"))
        case .depositForfeited(let e):
            return (
                "deposit", say("Deposit forfeited" + (e.policy.map { " by the deposit policy (\(policy($0)))" } ?? ""))
            )
        case .depositForfeitReversed(let e):
            return ("deposit", say("Deposit forfeit reversed by \(e.reversedBy); the deposit is held again"))
        case .sessionBooked(let e):
            book(e.appointmentID, e.slot, "session \(e.sessionNumber)", e.technicianID, e.locationID)
            return (
                "session",
                say(
                    "Session \(e.sessionNumber) booked for \(time(e.slot.start)) with \(e.technicianID) at \(e.locationID)"
                        + (e.contraindicationOverride.map { _ in " (contraindication override on record)" } ?? "")
                )
            )
        case .sessionCancelled(let e):
            let what = appointmentName(e.appointmentID)
            close(e.appointmentID)
            return (
                "cancellation",
                say(
                    "\(capitalized(what)) cancelled by the \(label(e.cancelledBy))"
                        + because(e.reason))
            )
        case .sessionNoShow(let e):
            let what = appointmentName(e.appointmentID)
            close(e.appointmentID)
            return ("no-show", say("Did not come to \(what)"))
        case .sessionPerformed(let e):
            close(e.appointmentID)
            state.sessionsPerformed += 1
            return (
                "session",
                say(
                    "Session \(e.sessionNumber) performed by \(e.technicianID) at \(e.locationID): "
                        + treatment(e.treatment))
            )
        case .healingCheckRecorded(let e):
            return ("healing", say("Healing check on day \(e.day): \(label(e.assessment))"))
        case .photoLogged(let e):
            return (
                "photo",
                say(
                    "Photo \(stage(e.stage)), \(words(e.angle)) view (\(e.mediaType), \(megabytes(e.sizeBytes)))"
                        + (e.measuredDensity.map { ", measured density \(Int(($0 * 100).rounded()))%" } ?? ""))
            )
        case .photoApprovedForMarketing(let e):
            return ("photo", say("Photo approved for marketing: \(e.purpose)"))
        case .marketingApprovalRevoked(let e):
            return (
                "photo", say("Marketing approval revoked (consent withdrawn): take the photo down from \(e.purpose)")
            )
        case .fadeObserved(let e):
            return ("fade", say("Fade observed: density \(Int((e.density * 100).rounded()))% (\(label(e.method)))"))
        case .touchUpRecommended(let e):
            return ("touch-up", say("Touch-up recommended: \(e.reason)"))
        case .touchUpBooked(let e):
            book(e.appointmentID, e.slot, "touch-up", e.technicianID, e.locationID)
            state.touchUpQuotes[e.appointmentID.upperText] = e.quotedPrice.minorUnits
            note(e.quotedPrice)
            return (
                "touch-up",
                say("Touch-up booked for \(time(e.slot.start)) with \(e.technicianID), quoted \(money(e.quotedPrice))")
            )
        case .touchUpPerformed(let e):
            close(e.appointmentID)
            state.touchUpsPerformed += 1
            state.charged += state.touchUpQuotes.removeValue(forKey: e.appointmentID.upperText) ?? 0
            return (
                "touch-up", say("Touch-up performed by \(e.technicianID) at \(e.locationID): " + treatment(e.treatment))
            )
        case .adverseReactionReported(let e):
            return (
                "adverse-reaction",
                say(
                    "Adverse reaction reported: \(label(e.kind)), \(label(e.severity))"
                        + (e.pigmentBatch.map { ", pigment batch \($0)" } ?? ""))
            )
        case .complaintRecorded(let e):
            return ("complaint", say("Complaint recorded: \(words(e.topic))"))
        case .correctionBooked(let e):
            book(e.appointmentID, e.slot, "correction", e.technicianID, e.locationID)
            state.touchUpQuotes[e.appointmentID.upperText] = e.quotedPrice.minorUnits
            note(e.quotedPrice)
            func cause() -> String {
                switch e.cause.kind {
                case .adverseReaction: "an adverse reaction"
                case .complaint: "a complaint"
                case .clientRequest: "the client's request"
                }
            }
            return (
                "correction",
                say(
                    "\(capitalized(words(e.method))) session \(e.sessionNumber) booked for "
                        + "\(time(e.slot.start)) with \(e.technicianID) at \(e.locationID), quoted \(money(e.quotedPrice)), "
                        + "answering \(cause())")
            )
        case .correctionPerformed(let e):
            if let id = e.appointmentID {
                close(id)
                state.charged += state.touchUpQuotes.removeValue(forKey: id.upperText) ?? 0
            }
            return (
                "correction",
                say(
                    "\(capitalized(words(e.method))), session \(e.sessionNumber), by \(e.provider)"
                )
            )
        case .testimonialRecorded(let e):
            return ("testimonial", say("Testimonial recorded, rating \(e.rating)/5"))
        case .paymentReceived(let e):
            state.paid += e.amount.minorUnits
            note(e.amount)
            return ("payment", say("Payment of \(money(e.amount)) by \(words(e.method)) for \(purpose(e.purpose))"))
        case .refundIssued(let e):
            state.refunded += e.amount.minorUnits
            note(e.amount)
            return (
                "refund",
                say(
                    "Refund of \(money(e.amount)) by \(words(e.method))"
                        + (e.policy.map { " by the deposit policy (\(policy($0)))" } ?? ""))
            )
        case .forgotten:
            state.displayName = nil
            state.erased = true
            return ("erased", say("Personal data erased at the client's request"))
        }

        /// "no-show at nyc", from what triggered the deposit policy.
        func policy(_ action: DepositPolicyAction) -> String {
            let trigger =
                switch action.trigger {
                case .noShow: "no-show"
                case .lateCancellation: "late cancellation"
                case .cancellationWithNotice: "cancelled with notice"
                }
            return "\(trigger) at \(action.locationID)"
        }

        /// "session 2", "the touch-up" or "the appointment", from the open booking.
        func appointmentName(_ id: AppointmentID) -> String {
            guard let kind = state.open[id.upperText]?.kind else { return "the appointment" }
            return kind.hasPrefix("session") ? kind : "the \(kind)"
        }

        func because(_ reason: String?) -> String {
            guard let reason, !reason.allSatisfy(\.isWhitespace) else { return "" }
            return ": " + reason
        }

        func stage(_ stage: PhotoStage) -> String {
            switch stage {
            case .before: "before treatment"
            case .immediatelyAfter: "straight after treatment"
            case .healingDay(let day): "while healing (day \(day))"
            case .healed: "healed"
            case .followUp: "at a follow-up"
            }
        }

        func purpose(_ purpose: PaymentPurpose) -> String {
            switch purpose {
            case .consultation: "the consultation"
            case .session: "a course session"
            case .package: "the course package"
            case .touchUp: "the touch-up"
            case .correction: "a correction"
            case .other: "other services"
            }
        }

        func treatment(_ record: TreatmentRecord) -> String {
            let pigment = record.pigment
            return "needle \(record.needleConfiguration), \(pigment.product) batch \(pigment.batchNumber) "
                + "(expires \(pigment.batchExpiresOn)), dilution \(pigment.dilution), "
                + "\(record.areasTreated.map { label($0) }.joined(separator: ", ")), \(record.durationMinutes) min"
        }
    }
}
