/// A request to change a location's stream.
public enum LocationCommand: Hashable, Sendable {
    /// Open a location.
    case open(LocationOpened)
    /// Set its weekly hours.
    case setHours(LocationHoursSet)
}
