import EventStore

/// Every read model Stipple keeps, in the order the runner applies them.
public enum ClinicProjections {
    /// The read models; with a `vault` that holds a master key, also the client search index (whose
    /// hashes are keyed by a key derived from it).
    public static func all(vault: PersonalDataVault? = nil) -> [any Projection] {
        var projections: [any Projection] = [
            TimelineProjection(),
            RevenueProjection(),
            TraceabilityProjection(),
            ScheduleProjection(),
            ForecastProjection(),
            PortfolioProjection(),
            AftercareProjection(),
        ]
        if let key = BlindIndexKey(vault: vault) { projections.append(SearchProjection(key: key)) }
        return projections
    }

    /// The read models of `store` (with the search index when its vault has a master key).
    public static func all(for store: EventStore) -> [any Projection] {
        all(vault: store.vault)
    }

    /// The names of the read models that need no key, for command-line validation.
    public static var names: [String] { all().map(\.name) }

    /// The names of `store`'s read models.
    public static func names(for store: EventStore) -> [String] {
        all(for: store).map(\.name)
    }
}
