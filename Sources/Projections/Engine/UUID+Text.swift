import EventStore
import Foundation
import TextCodecs

extension UUID {
    /// `uuidString` (upper case, as fold states key appointments and deposits), through `Hex.uuid`.
    var upperText: String { Hex.uuid(self, uppercase: true) }
    /// `uuidString.lowercased()`, through `Hex.uuid`.
    var lowerText: String { Hex.uuid(self, uppercase: false) }
}
