import Foundation

/// A validated subject laid out in decay segments: internal to the model.
///
/// A segment starts at an anchor (the last course session, then each later touch-up); density is
/// 1.0 until the healing window ends, then decays. Observations are placed on their segment.
struct FadeTimeline: Sendable {
    /// One usable observation: its segment and the years since that segment's decay started.
    struct Point: Sendable {
        var date: Date
        var years: Double
        var density: Double
    }

    /// Seconds in a Julian year, the model's time unit.
    static let secondsPerYear = 31_557_600.0

    /// The first course session.
    let firstSession: Date
    /// Segment starts in ascending order: the last course session, then later touch-ups.
    let anchors: [Date]
    /// The healing window in seconds.
    let healing: TimeInterval
    /// Observations after a healed baseline, in date order.
    let points: [Point]
    /// Observations that fell inside a course or a healing window and are not used.
    let skipped: Int

    /// Validates `subject` against `now`; returns nil when there are no sessions and nothing else.
    static func make(
        subject: FadeSubject, healingDays: Double, now: Date
    ) throws(FadeError) -> FadeTimeline? {
        let id = subject.id
        guard now.timeIntervalSinceReferenceDate.isFinite else { throw .nonFiniteNow }
        func check(_ date: Date, _ field: FadeDateField) throws(FadeError) {
            guard date.timeIntervalSinceReferenceDate.isFinite else { throw .nonFiniteDate(subject: id, field: field) }
            guard date <= now else { throw .futureDate(subject: id, field: field, date: date, now: now) }
        }
        for date in subject.sessions { try check(date, .session) }
        for date in subject.touchUps { try check(date, .touchUp) }
        for observation in subject.observations {
            try check(observation.date, .observation)
            guard observation.density.isFinite else {
                throw .nonFiniteDensity(subject: id, date: observation.date)
            }
            guard (0...1).contains(observation.density) else {
                throw .densityOutOfRange(subject: id, date: observation.date, density: observation.density)
            }
        }
        try validateCovariates(subject)
        guard let first = subject.sessions.min(), let last = subject.sessions.max() else {
            if let date = subject.touchUps.min() { throw .touchUpBeforeFirstSession(subject: id, date: date) }
            if let date = subject.observations.map(\.date).min() {
                throw .observationBeforeFirstSession(subject: id, date: date)
            }
            return nil
        }
        if let early = subject.touchUps.filter({ $0 < first }).min() {
            throw .touchUpBeforeFirstSession(subject: id, date: early)
        }
        if let early = subject.observations.map(\.date).filter({ $0 < first }).min() {
            throw .observationBeforeFirstSession(subject: id, date: early)
        }
        let anchors = [last] + Array(Set(subject.touchUps.filter { $0 > last })).sorted()
        let healing = healingDays * 86_400
        var points: [Point] = []
        var skipped = 0
        for observation in subject.observations.sorted(by: { $0.date < $1.date }) {
            guard let anchor = anchors.last(where: { $0 <= observation.date }) else {
                skipped += 1
                continue
            }
            let years = observation.date.timeIntervalSince(anchor.addingTimeInterval(healing)) / secondsPerYear
            guard years > 1 / 365.25 else {
                skipped += 1
                continue
            }
            points.append(Point(date: observation.date, years: years, density: observation.density))
        }
        return FadeTimeline(firstSession: first, anchors: anchors, healing: healing, points: points, skipped: skipped)
    }

    /// Rejects covariates that are NaN, infinite or out of range.
    private static func validateCovariates(_ subject: FadeSubject) throws(FadeError) {
        if let age = subject.covariates.age, !(age.isFinite && (0...120).contains(age)) {
            throw .invalidCovariate(subject: subject.id, factor: .ageDecades, value: "\(age)")
        }
        if let dilution = subject.covariates.pigmentDilution, !(dilution.isFinite && (0...1).contains(dilution)) {
            throw .invalidCovariate(subject: subject.id, factor: .pigmentDilution, value: "\(dilution)")
        }
    }

    /// The latest anchor: decay after it is what the prediction is about.
    var lastAnchor: Date { anchors[anchors.count - 1] }

    /// When decay starts after the latest anchor.
    var lastDecayStart: Date { lastAnchor.addingTimeInterval(healing) }

    /// Years of decay at `date`: 0 inside a healing window, nil during the course.
    func decayYears(at date: Date) -> Double? {
        guard let anchor = anchors.last(where: { $0 <= date }) else { return nil }
        return max(0, date.timeIntervalSince(anchor.addingTimeInterval(healing)) / Self.secondsPerYear)
    }
}
