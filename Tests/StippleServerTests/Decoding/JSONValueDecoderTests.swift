import Clinic
import Foundation
import NIOCore
import Testing

@testable import StippleServer

/// The command bodies decoded once, from the strict parser's tree: the same answers as Foundation's
/// `JSONDecoder` gave, and a number an integer field cannot hold named by its path wherever it is.
@Suite("Command bodies decoded from the parsed JSON tree")
struct JSONValueDecoderTests {
    /// Valid bodies of real command payloads, as the API takes them (`at` filled in where it is left out).
    static func bodies() throws -> [(name: String, type: any Decodable.Type, body: JSONValue)] {
        func tree(_ buffer: ByteBuffer) throws -> JSONValue {
            try CommandBody.object(Data(buffer.readableBytesView), now: Payloads.past)
        }
        let id = UUID()
        let screening = MedicalScreeningRecorded(
            at: Payloads.past, fitzpatrick: FitzpatrickType.allCases[2],
            hairLoss: HairLossStage(scale: .norwood, stage: 3),
            scalpOiliness: ScalpOiliness.allCases[0], contraindications: [Contraindication.allCases[0]],
            recordedBy: TechnicianID("T-1"),
            personal: ScreeningPersonal(currentMedications: ["ibuprofen", "none"], medicalNotes: "mild eczema"))
        let fade = FadeObserved(
            at: Payloads.past, density: 0.42, method: .visualEstimate, uvExposure: UVExposure.allCases[0])
        return [
            ("LocationOpened", LocationOpened.self, try tree(Payloads.location())),
            ("TechnicianRegistered", TechnicianRegistered.self, try tree(Payloads.technician("T-1"))),
            ("ClientRegistered", ClientRegistered.self, try tree(Payloads.client(id))),
            (
                "ConsultationBooked", ConsultationBooked.self,
                try tree(try Payloads.consultation(technician: "T-1", start: Payloads.past))
            ),
            ("PaymentReceived", PaymentReceived.self, try tree(Payloads.payment(minor: 12_345))),
            ("MedicalScreeningRecorded", MedicalScreeningRecorded.self, try tree(Payloads.body(screening))),
            ("FadeObserved", FadeObserved.self, try tree(Payloads.body(fade))),
        ]
    }

    /// Foundation's decoder as `RequestDecoding` set it up before it decoded from the tree.
    static let foundationDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            guard let date = formatter.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be an ISO-8601 time like 2026-01-31T09:30:00Z")
            }
            return date
        }
        return decoder
    }()

    /// Every member of `value`'s objects, at any depth, as a path.
    static func memberPaths(_ value: JSONValue, _ path: [String] = []) -> [[String]] {
        guard case .object(let members) = value else { return [] }
        return members.flatMap { member in [path + [member.key]] + memberPaths(member.value, path + [member.key]) }
    }

    /// `value` with the member at `path` replaced (nil: removed).
    static func replacing(_ value: JSONValue, _ path: ArraySlice<String>, with replacement: JSONValue?) -> JSONValue {
        guard let key = path.first, case .object(var members) = value,
            let index = members.firstIndex(where: { $0.key == key })
        else { return value }
        if path.count == 1 {
            if let replacement { members[index].value = replacement } else { members.remove(at: index) }
        } else {
            members[index].value = replacing(members[index].value, path.dropFirst(), with: replacement)
        }
        return .object(members)
    }

    /// What decoding `body` as `type` answers: the value re-encoded, or the problem's field and detail.
    static func outcome<T: Decodable>(_ type: T.Type, _ body: JSONValue, foundation: Bool) -> String? {
        do {
            let value: T
            if foundation {
                do {
                    value = try Self.foundationDecoder.decode(T.self, from: body.data)
                } catch let error as DecodingError {
                    // The one answer Foundation gets wrong on Linux: a number an integer cannot hold, without a path.
                    if case .dataCorrupted(let context) = error, context.codingPath.isEmpty { return nil }
                    let problem = RequestDecoding.problem(error)
                    return "\(problem.field ?? "-"): \(problem.detail)"
                }
            } else {
                value = try RequestDecoding.decode(T.self, from: body)
            }
            guard let encodable = value as? any Encodable else { return "decoded" }
            return String(decoding: try ClinicJSON.makeEncoder().encode(encodable), as: UTF8.self)
        } catch let problem as Problem {
            return "\(problem.field ?? "-"): \(problem.detail)"
        } catch {
            return "\(error)"
        }
    }

    @Test(
        "real command bodies, whole and with each member removed, null, or of another type, decode to the same values and the same problems as Foundation's JSONDecoder gave"
    )
    func sameAnswersAsFoundation() throws {
        let others: [JSONValue] = [
            .null, .string("x"), .number("7"), .number("2.5"), .bool(true), .array([]), .array([.number("1")]),
            .object([]), .string("2026-01-31T09:30:00Z"),
        ]
        var compared = 0
        for (name, type, body) in try Self.bodies() {
            func check(_ mutated: JSONValue, _ label: String) {
                func open<T: Decodable>(_ type: T.Type) -> (String?, String?) {
                    (Self.outcome(T.self, mutated, foundation: true), Self.outcome(T.self, mutated, foundation: false))
                }
                let (foundation, tree) = open(type)
                guard let foundation else { return }
                compared += 1
                #expect(tree == foundation, "\(name), \(label)")
            }
            check(body, "as sent")
            #expect(
                Self.outcome(type, body, foundation: false)?.hasPrefix("{") == true, "\(name) decodes as sent")
            for path in Self.memberPaths(body) {
                check(Self.replacing(body, path[...], with: nil), "without \(path)")
                for other in others {
                    check(Self.replacing(body, path[...], with: other), "\(path) = \(other)")
                }
            }
        }
        #expect(compared > 300, "\(compared) bodies compared")
    }

    struct Sample: Decodable {
        var small: Int32?
        var counts: [Int16]?
        var nested: [String: [Int64]]?
    }

    func problem(_ text: String) -> Problem? {
        do {
            _ = try RequestDecoding.decode(Sample.self, from: try RequestDecoding.parse(Array(text.utf8)))
            return nil
        } catch {
            return error
        }
    }

    @Test("a number an integer field cannot hold is named by its path, however many numbers come before it")
    func numberPaths() {
        let late = problem(#"{"counts":[\#((1...40).map(String.init).joined(separator: ",")),70000]}"#)
        #expect(late?.field == "counts[40]")
        #expect(
            late?.detail == "counts[40] is out of range for its type: a whole number from -32768 to 32767, not 70000")
        let fraction = problem(#"{"nested":{"a":[1,2],"b":[3,4.25]}}"#)
        #expect(fraction?.field == "nested.b[1]")
        #expect(fraction?.detail == "nested.b[1] must be a whole number (an integer), not 4.25")
        let small = problem(#"{"small":3000000000}"#)
        #expect(
            small?.detail
                == "small is out of range for its type: a whole number from -2147483648 to 2147483647, not 3000000000")
        #expect(problem(#"{"small":1e2,"counts":[2.0,-3]}"#) == nil, "whole numbers in another notation are read")
    }
}
