import Foundation
import JSONNodes
import Testing

@testable import Clinic

@Suite("Hand-written event decoders read what Decodable reads")
struct NodeDecodableTests {
    /// The event types with a hand-written decoder, each as a function comparing it with `JSONDecoder` on one
    /// payload: nil when both refuse it, else whether both read it to the same value.
    static let comparisons: [String: @Sendable (Data) -> Bool?] = [
        PhotoLogged.typeName: compare(PhotoLogged.self), SlotReserved.typeName: compare(SlotReserved.self),
        InstructionsGiven.typeName: compare(InstructionsGiven.self),
        PaymentReceived.typeName: compare(PaymentReceived.self), SessionBooked.typeName: compare(SessionBooked.self),
        SessionPerformed.typeName: compare(SessionPerformed.self), FadeObserved.typeName: compare(FadeObserved.self),
        HealingCheckRecorded.typeName: compare(HealingCheckRecorded.self),
        InstructionsAcknowledged.typeName: compare(InstructionsAcknowledged.self),
        ConsultationBooked.typeName: compare(ConsultationBooked.self),
        DepositTaken.typeName: compare(DepositTaken.self),
        DepositApplied.typeName: compare(DepositApplied.self), ConsentSigned.typeName: compare(ConsentSigned.self),
        TreatmentPlanAgreed.typeName: compare(TreatmentPlanAgreed.self),
        SlotReleased.typeName: compare(SlotReleased.self), ConsultationHeld.typeName: compare(ConsultationHeld.self),
        MedicalScreeningRecorded.typeName: compare(MedicalScreeningRecorded.self),
        ClientRegistered.typeName: compare(ClientRegistered.self),
    ]

    private static func compare<T: EventPayload & NodeDecodable>(_ type: T.Type) -> @Sendable (Data) -> Bool? {
        { data in
            let byHand = try? StoredEventJSON.decodeByHand(T.self, from: data)
            let decoded = try? ClinicJSON.makeDecoder().decode(T.self, from: data)
            if byHand == nil, decoded == nil { return nil }
            return byHand == decoded
        }
    }

    /// An object's members as their JSON texts (key with quotes, value), in order.
    private func members(_ data: Data) throws -> [(key: String, value: String)] {
        try data.withUnsafeBytes { raw in
            let document = try JSONDocument(scanning: raw.bindMemory(to: UInt8.self))
            return document.members(of: document.root).map { member in
                let text = { (node: Int) in
                    String(
                        decoding: UnsafeBufferPointer(rebasing: document.bytes[document.nodes[node].range]),
                        as: UTF8.self)
                }
                return (text(member.key), text(member.value))
            }
        }
    }

    private func object(_ members: [(key: String, value: String)]) -> Data {
        Data(("{" + members.map { "\($0.key):\($0.value)" }.joined(separator: ",") + "}").utf8)
    }

    /// Variants of a payload: as stored; each member missing, null, or of a type no member has (`[true]`, which
    /// `JSONDecoder` refuses for every member, so a member the hand-written reader skips shows), and so is each
    /// property of `payload` the stored JSON leaves out (a nil optional); unknown members first and last; hyphens
    /// and slashes escaped in every string (`\u002d`, `\/`).
    private func variants(_ data: Data, of payload: any EventPayload) throws -> [Data] {
        let stored = try members(data)
        var result = [data]
        for case let name? in Mirror(reflecting: payload).children.map(\.label)
        where !stored.contains(where: { $0.key == "\"\(name)\"" }) {
            result.append(object(stored + [("\"\(name)\"", "[true]")]))
        }
        for index in stored.indices {
            var without = stored
            without.remove(at: index)
            result.append(object(without))
            for value in ["null", "[true]"] {
                var changed = stored
                changed[index].value = value
                result.append(object(changed))
            }
        }
        result.append(object([("\"aUnknown\"", "{\"at\":[1,\"x\"]}")] + stored + [("\"zUnknown\"", "null")]))
        let text = String(decoding: data, as: UTF8.self)
        result.append(Data(text.replacingOccurrences(of: "-", with: "\\u002d").utf8))
        result.append(Data(text.replacingOccurrences(of: "/", with: "\\/").utf8))
        return result
    }

    @Test("each hand-written decoder reads every generated payload and its variants as JSONDecoder does")
    func sameAsDecodable() throws {
        var checked: [String: Int] = [:]
        var read = 0
        for configuration in [
            HistoryConfiguration(seed: 7, clientCount: 30), HistoryConfiguration(seed: 11, clientCount: 30),
        ] {
            for pending in ClinicHistory(configuration) {
                let (type, _, data) = try pending.event.encoded()
                guard let compare = Self.comparisons[type] else { continue }
                guard checked[type, default: 0] < 150 else { continue }
                checked[type, default: 0] += 1
                for variant in try variants(data, of: pending.event.payload) {
                    let same = compare(variant)
                    #expect(same != false, "\(type): \(String(decoding: variant, as: UTF8.self))")
                    if same == true { read += 1 }
                }
            }
        }
        for type in Self.comparisons.keys {
            #expect(checked[type, default: 0] >= 20, "\(type) is too rare in the history")
        }
        #expect(read > 5000)
    }

    @Test("the decoders of these types take the hand-written path, and refuse what Decodable refuses")
    func decodersUseTheHandWrittenPath() throws {
        let photo = PhotoLogged(
            at: Date(timeIntervalSince1970: 1.7e9), photoID: UUID(), contentHash: "ab", sizeBytes: 12,
            mediaType: "image/jpeg", stage: .healingDay(3), angle: .hairlineCloseUp, consentScope: .clinicalPhotos)
        let data = try ClinicJSON.makeEncoder().encode(photo)
        let decoder = try #require(ClinicEvent.decodersByType[PhotoLogged.typeName])
        #expect(try decoder.decodeFast(data) == .client(.photoLogged(photo)))
        // A stage that is not one: refused by both paths.
        let bad = Data(
            String(decoding: data, as: UTF8.self).replacingOccurrences(of: "healing-day-3", with: "healing-day-0").utf8)
        #expect(throws: (any Error).self) { try decoder.decodeFast(bad) }
        #expect(throws: (any Error).self) {
            try ClinicEvent.decode(type: PhotoLogged.typeName, schemaVersion: PhotoLogged.schemaVersion, data: bad)
        }
    }
}
