import Foundation

/// A care instruction set's id: a short string (e.g. `smp-standard`), restricted to `[A-Za-z0-9._-]`.
public struct InstructionSetID: ShortIdentifier {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard IdentifierRules.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// An id known to be valid, for ids written in the code.
    init(literal: StaticString) {
        rawValue = "\(literal)"
        precondition(IdentifierRules.isValid(rawValue), "invalid instruction set id \(literal)")
    }

    public static let kind = "instruction set id"
}
