import Foundation

/// What history to generate. The defaults give a small clinic network from 2019-01-01 to 2026-11-01.
public struct HistoryConfiguration: Sendable {
    /// Seed of the pseudo-random generator; the same seed gives the same events.
    public var seed: UInt64
    /// Number of clients who walk in over the period (about 50 events each).
    public var clientCount: Int
    /// Number of locations; default scales with the client count.
    public var locationCount: Int
    /// Technicians per location; default scales with the client count.
    public var techniciansPerLocation: Int
    /// Start of the history.
    public var start: Date
    /// End of the history ("today"): nothing happens after it.
    public var end: Date
    /// Clinic settings the commands are decided with.
    public var settings: ClinicSettings
    /// How often clients miss, cancel or move appointments.
    public var rates: BehaviourRates

    /// 2019-01-01T00:00:00Z.
    public static let defaultStart = CalendarDay(daysSinceEpoch: 17_897).startDate
    /// 2026-11-01T00:00:00Z.
    public static let defaultEnd = CalendarDay(daysSinceEpoch: 20_758).startDate

    /// Creates a configuration.
    public init(
        seed: UInt64 = 1, clientCount: Int = 12, locationCount: Int? = nil, techniciansPerLocation: Int? = nil,
        start: Date = HistoryConfiguration.defaultStart, end: Date = HistoryConfiguration.defaultEnd,
        settings: ClinicSettings = .standard, rates: BehaviourRates = .assumed
    ) {
        self.seed = seed
        self.clientCount = max(0, clientCount)
        let technicians = max(4, clientCount / 350)
        self.locationCount = max(1, locationCount ?? min(40, max(2, technicians / 4)))
        self.techniciansPerLocation = max(1, techniciansPerLocation ?? max(2, technicians / self.locationCount))
        self.start = start
        self.end = max(end, start)
        self.settings = settings
        self.rates = rates
    }
}
