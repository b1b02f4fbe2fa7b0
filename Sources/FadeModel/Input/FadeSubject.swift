import Foundation

/// Everything the fade model needs to know about one client, free of any clinic domain type.
///
/// Another module maps clinic events to this shape: the course sessions, later touch-ups,
/// what is known about the client's skin and habits, and the follow-up density observations.
public struct FadeSubject: Sendable, Codable, Equatable, Hashable {
    /// A stable identifier the caller chooses (e.g. the client id); echoed in errors and posteriors.
    public var id: String
    /// Dates of the initial course sessions (usually 2–4, weeks apart). Order does not matter.
    public var sessions: [Date]
    /// Dates of touch-up sessions after the course. Each one restores density to 1.0.
    public var touchUps: [Date]
    /// What is known about the client; unknown fields count as the population average.
    public var covariates: Covariates
    /// Follow-up density observations. Those inside a healing window are not used.
    public var observations: [FadeObservation]

    /// Creates a subject.
    public init(
        id: String,
        sessions: [Date],
        touchUps: [Date] = [],
        covariates: Covariates = Covariates(),
        observations: [FadeObservation] = []
    ) {
        self.id = id
        self.sessions = sessions
        self.touchUps = touchUps
        self.covariates = covariates
        self.observations = observations
    }
}
