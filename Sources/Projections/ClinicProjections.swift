/// Every read model Stipple keeps, in the order the runner applies them.
public enum ClinicProjections {
    public static func all() -> [any Projection] {
        [
            TimelineProjection(),
            RevenueProjection(),
            TraceabilityProjection(),
            ScheduleProjection(),
            ForecastProjection(),
        ]
    }

    /// The names, for command-line validation.
    public static var names: [String] { all().map(\.name) }
}
