import Foundation

/// What a technician's stream says: registration, certification, and the slots they hold.
///
/// Reserved slots are kept per start day so that an overlap check looks at a few days, not the whole history.
public struct TechnicianState: Hashable, Sendable {
    /// The technician.
    public let id: TechnicianID
    /// True once registered.
    public internal(set) var isRegistered = false
    /// False once deactivated.
    public internal(set) var isActive = false
    /// Name shown on schedules.
    public internal(set) var displayName: String?
    /// Usual location.
    public internal(set) var homeLocationID: LocationID?
    /// The latest certification recorded.
    public internal(set) var certification: CertificationRecorded?
    /// Slots held (booked or performed appointments), by appointment.
    public internal(set) var reservations: [AppointmentID: Reservation] = [:]
    /// Number of events folded.
    public internal(set) var version = 0
    private var appointmentsByStartDay: [Int: [AppointmentID]] = [:]

    /// The state of a technician stream with no events.
    public init(id: TechnicianID) {
        self.id = id
    }

    /// True when the latest certification covers the day.
    public func isCertified(on day: CalendarDay) -> Bool {
        guard let certification else { return false }
        return certification.issuedOn <= day && day <= certification.expiresOn
    }

    /// A held slot that overlaps `slot`, ignoring `excluded` (the appointment being moved), or nil.
    ///
    /// Assumes appointments shorter than `ClinicSettings.maximumAppointmentDuration` (a day at most), which the
    /// deciders enforce: then only slots starting from the day before to the last day of `slot` can overlap.
    public func conflictingReservation(with slot: TimeSlot, excluding excluded: AppointmentID? = nil) -> Reservation? {
        let firstDay = CalendarDay(slot.start).daysSinceEpoch - 1
        let lastDay = CalendarDay(slot.end).daysSinceEpoch
        for day in firstDay...max(firstDay, lastDay) {
            for id in appointmentsByStartDay[day] ?? [] where id != excluded {
                if let reservation = reservations[id], reservation.slot.overlaps(slot) { return reservation }
            }
        }
        return nil
    }

    /// Folds one event in place.
    public mutating func apply(_ event: TechnicianEvent) {
        version += 1
        switch event {
        case .registered(let e):
            isRegistered = true
            isActive = true
            displayName = e.displayName
            homeLocationID = e.homeLocationID
        case .certificationRecorded(let e):
            certification = e
        case .deactivated:
            isActive = false
        case .slotReserved(let e):
            if let old = reservations[e.appointmentID] { removeFromDayIndex(old) }
            reservations[e.appointmentID] = Reservation(
                appointmentID: e.appointmentID, clientID: e.clientID,
                kind: e.kind, slot: e.slot, locationID: e.locationID)
            appointmentsByStartDay[CalendarDay(e.slot.start).daysSinceEpoch, default: []].append(e.appointmentID)
        case .slotReleased(let e):
            if let old = reservations.removeValue(forKey: e.appointmentID) { removeFromDayIndex(old) }
        }
    }

    private mutating func removeFromDayIndex(_ reservation: Reservation) {
        let day = CalendarDay(reservation.slot.start).daysSinceEpoch
        appointmentsByStartDay[day]?.removeAll { $0 == reservation.appointmentID }
        if appointmentsByStartDay[day]?.isEmpty == true { appointmentsByStartDay[day] = nil }
    }

    /// Folds events into a new state.
    public static func replay(id: TechnicianID, _ events: some Sequence<TechnicianEvent>) -> TechnicianState {
        var state = TechnicianState(id: id)
        for event in events { state.apply(event) }
        return state
    }

    /// `evolve(state, event) -> state`.
    public static func evolve(_ state: TechnicianState, _ event: TechnicianEvent) -> TechnicianState {
        var next = state
        next.apply(event)
        return next
    }
}

extension TechnicianState {
    /// Forgets reservations that ended before `date`. For long-running in-memory simulations such as the history
    /// generator: bookings always start after the time they are made, so past slots can no longer conflict. A
    /// command handler that folds the stream from its events does not need this.
    public mutating func dropReservations(endingBefore date: Date) {
        let limit = CalendarDay(date).daysSinceEpoch - 2
        for day in appointmentsByStartDay.keys where day < limit {
            for id in appointmentsByStartDay[day] ?? [] {
                if let reservation = reservations[id], reservation.slot.end < date { reservations[id] = nil }
            }
            appointmentsByStartDay[day] = nil
        }
    }
}
