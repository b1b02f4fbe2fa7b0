import Foundation

extension ClientRules {
    /// The location in the context, opened, and (once it has recorded hours) open for the whole slot on its own
    /// clock.
    func checkLocation(_ id: LocationID, slot: TimeSlot) throws(Rejection) {
        try checkLocation(id)
        if let location = context.location, let problem = location.openingHoursProblem(slot) { throw problem }
    }

    /// The latest screening is still valid on the treatment day: recorded at most the location's
    /// `screeningValidityMonths` before it. Why: medications and conditions change; a touch-up years after the
    /// course needs a fresh one.
    func checkScreeningCurrent(on date: Date, at location: LocationID) throws(Rejection) {
        guard let screening = client.screening else { throw .noScreening }
        let months = context.settings(at: location).screeningValidityMonths
        let recorded = CalendarDay(screening.at)
        let validUntil = recorded.adding(months: months)
        let day = CalendarDay(date)
        guard day <= validUntil else {
            throw .screeningExpired(recordedOn: recorded, validUntil: validUntil, on: day, months: months)
        }
    }
}
