import Foundation
import JSONNodes
import TextCodecs

/// A type read by hand from a `JSONDocument` node: the fast path of the most frequent event types, which
/// `Decodable` read through keyed containers (a boxed container per object, a generic call per member, an
/// enum through a `String` and its `RawRepresentable` initialiser), a visible share of decoding a log.
///
/// Each reader reads what its `Decodable` conformance (synthesized, unless noted) reads, member by member
/// (`decodeIfPresent` for optionals: missing or null is nil; unknown members are ignored), and accepts less,
/// never more: whatever it is not sure of throws, and `EventDecoder` decodes the event with `JSONDecoder`
/// instead, which also gives every error. `NodeDecodableTests` compares both on generated payloads.
protocol NodeDecodable {
    /// The value at `node`, or an error that says only that the fast path does not apply.
    init(document: JSONDocument, node: Int) throws
}

/// The members of an object node, read by name.
struct NodeObject {
    let document: JSONDocument
    let node: Int

    init(_ document: JSONDocument, _ node: Int) throws {
        guard document.nodes[node].kind == .object else { throw StoredEventJSON.Unsupported() }
        self.document = document
        self.node = node
    }

    /// The value node of the first member named `key`, if any.
    func member(_ key: StaticString) -> Int? {
        document.member(utf8: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount), in: node)
    }

    /// A member that must be there (`decode`).
    func callAsFunction<T: NodeDecodable>(_ key: StaticString) throws -> T {
        guard let index = member(key) else { throw StoredEventJSON.Unsupported() }
        return try T(document: document, node: index)
    }

    /// A member that may be missing or null (`decodeIfPresent`).
    func optional<T: NodeDecodable>(_ key: StaticString) throws -> T? {
        guard let index = member(key), !document.isNull(index) else { return nil }
        return try T(document: document, node: index)
    }

    /// A member of a type without a hand-written reader, read through `Decodable` on the nodes.
    func decoded<T: Decodable>(_ key: StaticString) throws -> T {
        guard let index = member(key) else { throw StoredEventJSON.Unsupported() }
        return try document.decode(T.self, at: index)
    }

    /// `decoded` for a member that may be missing or null.
    func optionalDecoded<T: Decodable>(_ key: StaticString) throws -> T? {
        guard let index = member(key), !document.isNull(index) else { return nil }
        return try document.decode(T.self, at: index)
    }
}

// MARK: - Values

extension String: NodeDecodable {
    init(document: JSONDocument, node: Int) throws { self = try document.string(node) }
}

extension Int: NodeDecodable {
    init(document: JSONDocument, node: Int) throws { self = try document.fixedWidth(node, as: Int.self) }
}

extension Int64: NodeDecodable {
    init(document: JSONDocument, node: Int) throws { self = try document.integer(node) }
}

extension Double: NodeDecodable {
    init(document: JSONDocument, node: Int) throws { self = try document.double(node) }
}

extension Bool: NodeDecodable {
    init(document: JSONDocument, node: Int) throws { self = try document.bool(node) }
}

extension Date: NodeDecodable {
    /// As `ClinicJSON.decodeDate` reads it.
    init(document: JSONDocument, node: Int) throws {
        guard let date = try document.date(node) else { throw StoredEventJSON.Unsupported() }
        self = date
    }
}

extension UUID: NodeDecodable {
    /// As `UUID.init(from:)` reads it: a string `UUID(uuidString:)` accepts (the canonical form parsed from its
    /// bytes).
    init(document: JSONDocument, node: Int) throws {
        let item = document.nodes[node]
        if item.kind == .string, !item.flag,
            let uuid = UUIDText.parse(UnsafeBufferPointer(rebasing: document.bytes[item.start..<item.end]))
        {
            self = UUID(uuid: uuid)
            return
        }
        guard let uuid = UUID(uuidString: try document.string(node)) else { throw StoredEventJSON.Unsupported() }
        self = uuid
    }
}

extension Array: NodeDecodable where Element: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        guard document.nodes[node].kind == .array else { throw StoredEventJSON.Unsupported() }
        var elements: [Element] = []
        elements.reserveCapacity(document.nodes[node].count)
        var element = node + 1
        for _ in 0..<document.nodes[node].count {
            elements.append(try Element(document: document, node: element))
            element = document.nodes[element].next
        }
        self = elements
    }
}

/// An enum stored as its raw value (`RawRepresentable`'s `Decodable`).
protocol RawNodeDecodable: NodeDecodable, RawRepresentable where RawValue == String {}

extension RawNodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        guard let value = Self(rawValue: try document.string(node)) else { throw StoredEventJSON.Unsupported() }
        self = value
    }
}

/// An identifier stored as its text (`ShortIdentifier`'s `Decodable`).
protocol ShortIdentifierNodeDecodable: NodeDecodable, ShortIdentifier {}

extension ShortIdentifierNodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        guard let value = Self(try document.string(node)) else { throw StoredEventJSON.Unsupported() }
        self = value
    }
}

extension PhotoAngle: RawNodeDecodable {}
extension ConsentScope: RawNodeDecodable {}
extension InstructionKind: RawNodeDecodable {}
extension DeliveryChannel: RawNodeDecodable {}
extension PaymentMethod: RawNodeDecodable {}
extension PaymentPurpose: RawNodeDecodable {}
extension AppointmentKind: RawNodeDecodable {}
extension AcknowledgementMethod: RawNodeDecodable {}
extension HealingAssessment: RawNodeDecodable {}
extension ScalpArea: RawNodeDecodable {}
extension Anaesthetic: RawNodeDecodable {}
extension FadeMeasurementMethod: RawNodeDecodable {}
extension UVExposure: RawNodeDecodable {}
extension ComplianceAnswer: RawNodeDecodable {}
extension PricingModel: RawNodeDecodable {}
extension HairLossScale: RawNodeDecodable {}
extension HairlineShape: RawNodeDecodable {}
extension EdgeSoftness: RawNodeDecodable {}
extension HairlineSymmetry: RawNodeDecodable {}
extension Contraindication: RawNodeDecodable {}
extension FitzpatrickType: RawNodeDecodable {}
extension ScalpOiliness: RawNodeDecodable {}
extension SlotReleaseReason: RawNodeDecodable {}

extension LocationID: ShortIdentifierNodeDecodable {}
extension TechnicianID: ShortIdentifierNodeDecodable {}
extension InstructionSetID: ShortIdentifierNodeDecodable {}
extension PigmentBatchNumber: ShortIdentifierNodeDecodable {}

extension Currency: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        guard let value = Currency(try document.string(node)) else { throw StoredEventJSON.Unsupported() }
        self = value
    }
}

extension CalendarDay: NodeDecodable {
    /// As its custom `Decodable`: `YYYY-MM-DD`.
    init(document: JSONDocument, node: Int) throws {
        guard let value = CalendarDay(iso: try document.string(node)) else { throw StoredEventJSON.Unsupported() }
        self = value
    }
}

extension PhotoStage: NodeDecodable {
    /// As its custom `Decodable`: its text.
    init(document: JSONDocument, node: Int) throws {
        guard let value = PhotoStage(text: try document.string(node)) else { throw StoredEventJSON.Unsupported() }
        self = value
    }
}

extension Money: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(minorUnits: try object("minorUnits"), currency: try object("currency"))
    }
}

extension TimeSlot: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(start: try object("start"), end: try object("end"))
    }
}

extension PlanPricing: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(model: try object("model"), price: try object("price"))
    }
}

extension HairLossStage: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(scale: try object("scale"), stage: try object("stage"))
    }
}

extension ScalpAssessment: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            hairLoss: try object("hairLoss"), pattern: try object("pattern"), skinTone: try object("skinTone"),
            naturalHairColour: try object("naturalHairColour"))
    }
}

extension HairlineDesign: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            shape: try object("shape"), edgeSoftness: try object("edgeSoftness"),
            heightCentimetres: try object("heightCentimetres"), symmetry: try object("symmetry"))
    }
}

extension CareCompliance: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            sun: try object.optional("sun"), sweating: try object.optional("sweating"),
            swimming: try object.optional("swimming"))
    }
}

extension PigmentUse: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            product: try object("product"), batchNumber: try object("batchNumber"),
            batchExpiresOn: try object("batchExpiresOn"), dilution: try object("dilution"))
    }
}

extension TreatmentRecord: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            areasTreated: try object("areasTreated"), needleConfiguration: try object("needleConfiguration"),
            pigment: try object("pigment"), dotDensity: try object("dotDensity"),
            durationMinutes: try object("durationMinutes"), anaesthetic: try object("anaesthetic"))
    }
}

// MARK: - Events (the most frequent types of a clinic's log)

extension PhotoLogged: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), photoID: try object("photoID"), contentHash: try object("contentHash"),
            sizeBytes: try object("sizeBytes"), mediaType: try object("mediaType"), stage: try object("stage"),
            angle: try object("angle"), consentScope: try object("consentScope"),
            measuredDensity: try object.optional("measuredDensity"),
            appointmentID: try object.optional("appointmentID"),
            width: try object.optional("width"), height: try object.optional("height"))
    }
}

extension SlotReserved: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), appointmentID: try object("appointmentID"), clientID: try object("clientID"),
            kind: try object("kind"), slot: try object("slot"), locationID: try object("locationID"))
    }
}

extension InstructionsGiven: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), kind: try object("kind"), instructionSetID: try object.optional("instructionSetID"),
            instructionSetVersion: try object.optional("instructionSetVersion"),
            appointmentID: try object.optional("appointmentID"), channel: try object("channel"),
            legacyLabel: try object.optional("legacyLabel"))
    }
}

extension PaymentReceived: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), paymentID: try object("paymentID"), amount: try object("amount"),
            method: try object("method"), purpose: try object("purpose"),
            appointmentID: try object.optional("appointmentID"), locationID: try object.optional("locationID"),
            technicianID: try object.optional("technicianID"))
    }
}

extension SessionBooked: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), appointmentID: try object("appointmentID"),
            sessionNumber: try object("sessionNumber"),
            slot: try object("slot"), locationID: try object("locationID"), technicianID: try object("technicianID"),
            contraindicationOverride: try object.optionalDecoded("contraindicationOverride"))
    }
}

extension SessionPerformed: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), appointmentID: try object("appointmentID"),
            sessionNumber: try object("sessionNumber"),
            locationID: try object("locationID"), technicianID: try object("technicianID"),
            treatment: try object("treatment"))
    }
}

extension FadeObserved: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), density: try object("density"), method: try object("method"),
            uvExposure: try object.optional("uvExposure"), compliance: try object.optional("compliance"))
    }
}

extension HealingCheckRecorded: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), appointmentID: try object("appointmentID"), day: try object("day"),
            assessment: try object("assessment"), personal: try object.optionalDecoded("personal"),
            compliance: try object.optional("compliance"))
    }
}

extension InstructionsAcknowledged: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), appointmentID: try object("appointmentID"), kind: try object("kind"),
            method: try object("method"))
    }
}

extension ConsultationBooked: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), appointmentID: try object("appointmentID"), slot: try object("slot"),
            locationID: try object("locationID"), technicianID: try object("technicianID"))
    }
}

extension DepositTaken: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), depositID: try object("depositID"), amount: try object("amount"),
            refundable: try object("refundable"), method: try object("method"))
    }
}

extension DepositApplied: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(at: try object("at"), depositID: try object("depositID"))
    }
}

extension ConsentSigned: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), consentID: try object("consentID"), formVersion: try object("formVersion"),
            scopes: try object("scopes"), contentHash: try object.optional("contentHash"))
    }
}

extension TreatmentPlanAgreed: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), sessionsPlanned: try object("sessionsPlanned"), pricing: try object("pricing"),
            depositDue: try object("depositDue"))
    }
}

extension SlotReleased: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(at: try object("at"), appointmentID: try object("appointmentID"), reason: try object("reason"))
    }
}

// The personal members (sealed in storage, opened before decoding; an erased marker once the client is forgotten)
// go through their own `Decodable`.

extension ConsultationHeld: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), appointmentID: try object("appointmentID"), assessment: try object("assessment"),
            design: try object("design"), chosenShade: try object("chosenShade"),
            targetDensity: try object("targetDensity"),
            treatedAreaSquareCentimetres: try object("treatedAreaSquareCentimetres"),
            sessionsPlanned: try object("sessionsPlanned"), quotedPrice: try object("quotedPrice"), statedGoals: "")
        personal = try object.decoded("personal")
    }
}

extension MedicalScreeningRecorded: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), fitzpatrick: try object("fitzpatrick"), hairLoss: try object("hairLoss"),
            scalpOiliness: try object("scalpOiliness"), contraindications: try object("contraindications"),
            recordedBy: try object.optional("recordedBy"), personal: try object.decoded("personal"))
    }
}

extension ClientRegistered: NodeDecodable {
    init(document: JSONDocument, node: Int) throws {
        let object = try NodeObject(document, node)
        self.init(
            at: try object("at"), personal: try object.decoded("personal"),
            referralSource: try object.optional("referralSource"),
            preferredLocationID: try object.optional("preferredLocationID"))
    }
}
