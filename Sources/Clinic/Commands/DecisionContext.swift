import Foundation

/// Everything a client command may need besides the client's own state: the decision time, the settings and
/// the states of the other streams involved (folded by the command handler from their events).
public struct DecisionContext: Sendable {
    /// The time of the decision. Commands may not describe facts after it.
    public var now: Date
    /// Clinic-wide settings.
    public var settings: ClinicSettings
    /// The settings of locations with values of their own (where the law differs); others use `settings`.
    public var locationSettings: [LocationID: ClinicSettings]
    /// The technician the command books or names, if any.
    public var technician: TechnicianState?
    /// The location the command names, if any.
    public var location: LocationState?
    /// The pigment batch a performed session uses, if any.
    public var pigmentBatch: PigmentBatchState?
    /// The consent forms the clinic published (empty: signatures are recorded as given).
    public var consentForms: ConsentForms
    /// The care instruction set instructions are given from, if any.
    public var instructionSet: InstructionSetState?

    /// Creates a context.
    public init(
        now: Date, settings: ClinicSettings = .standard, locationSettings: [LocationID: ClinicSettings] = [:],
        technician: TechnicianState? = nil, location: LocationState? = nil, pigmentBatch: PigmentBatchState? = nil,
        instructionSet: InstructionSetState? = nil, consentForms: ConsentForms = ConsentForms()
    ) {
        self.consentForms = consentForms
        self.instructionSet = instructionSet
        self.now = now
        self.settings = settings
        self.locationSettings = locationSettings
        self.technician = technician
        self.location = location
        self.pigmentBatch = pigmentBatch
    }

    /// A context whose settings are what the clinic settings stream says.
    public init(
        now: Date, settings state: ClinicSettingsState, technician: TechnicianState? = nil,
        location: LocationState? = nil, pigmentBatch: PigmentBatchState? = nil,
        instructionSet: InstructionSetState? = nil
    ) {
        self.init(
            now: now, settings: state.settings, locationSettings: state.locationSettings, technician: technician,
            location: location, pigmentBatch: pigmentBatch, instructionSet: instructionSet,
            consentForms: state.consentForms)
    }

    /// The settings that apply at a location (the clinic-wide ones when it has none of its own, or for nil).
    public func settings(at location: LocationID?) -> ClinicSettings {
        location.flatMap { locationSettings[$0] } ?? settings
    }
}
