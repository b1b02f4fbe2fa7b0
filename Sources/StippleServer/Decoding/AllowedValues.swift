import Clinic
import ClinicService

/// The allowed values of the domain's enumerations, by type, so a wrong value is answered with
/// the list to choose from instead of the Swift type's name.
enum AllowedValues {
    /// Raw values per type name.
    static let byTypeName: [String: [String]] = {
        var table: [String: [String]] = [:]
        func add<T: CaseIterable & RawRepresentable>(_ type: T.Type) where T.RawValue == String {
            table[String(describing: type)] = type.allCases.map(\.rawValue)
        }
        add(Severity.self)
        add(PaymentMethod.self)
        add(CorrectionMethod.self)
        add(HairlineShape.self)
        add(AdverseReactionKind.self)
        add(Contraindication.self)
        add(FadeMeasurementMethod.self)
        add(ScalpArea.self)
        add(AppointmentKind.self)
        add(Anaesthetic.self)
        add(FitzpatrickType.self)
        add(HairlineSymmetry.self)
        add(HairLossScale.self)
        add(ConsentScope.self)
        add(PricingModel.self)
        add(PaymentPurpose.self)
        add(InstructionKind.self)
        add(SlotReleaseReason.self)
        add(ScalpOiliness.self)
        add(PhotoAngle.self)
        add(UVExposure.self)
        add(CancelledBy.self)
        add(DeliveryChannel.self)
        add(HealingAssessment.self)
        add(EdgeSoftness.self)
        add(Role.self)
        add(CareTopic.self)
        add(AcknowledgementMethod.self)
        add(ComplaintTopic.self)
        add(CorrectionCauseKind.self)
        add(ComplianceAnswer.self)
        return table
    }()

    /// The allowed values named in a decoder's "Cannot initialize T from invalid String value v"
    /// message, with the rejected value; nil when the message is not about an enumeration.
    static func parse(_ message: String) -> (allowed: [String]?, value: String)? {
        let prefix = "Cannot initialize "
        guard message.hasPrefix(prefix), let from = message.range(of: " from invalid ") else { return nil }
        let typeName = String(message[message.index(message.startIndex, offsetBy: prefix.count)..<from.lowerBound])
        let rest = message[from.upperBound...]
        let value = rest.range(of: " value ").map { String(rest[$0.upperBound...]) } ?? ""
        return (byTypeName[typeName], value)
    }
}
