import Foundation

/// Everything a client command may need besides the client's own state: the decision time, the settings and
/// the states of the other streams involved (folded by the command handler from their events).
public struct DecisionContext: Sendable {
    /// The time of the decision. Commands may not describe facts after it.
    public var now: Date
    /// Clinic settings.
    public var settings: ClinicSettings
    /// The technician the command books or names, if any.
    public var technician: TechnicianState?
    /// The location the command names, if any.
    public var location: LocationState?
    /// The pigment batch a performed session uses, if any.
    public var pigmentBatch: PigmentBatchState?
    /// The care instruction set instructions are given from, if any.
    public var instructionSet: InstructionSetState?

    /// Creates a context.
    public init(
        now: Date, settings: ClinicSettings = .standard, technician: TechnicianState? = nil,
        location: LocationState? = nil, pigmentBatch: PigmentBatchState? = nil,
        instructionSet: InstructionSetState? = nil
    ) {
        self.instructionSet = instructionSet
        self.now = now
        self.settings = settings
        self.technician = technician
        self.location = location
        self.pigmentBatch = pigmentBatch
    }
}
