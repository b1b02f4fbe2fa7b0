import Clinic
import Foundation
import NIOCore
import Testing

/// JSON bodies for commands, built from the domain's own payload types.
enum Payloads {
    static func body(_ payload: some EventPayload, extra: [String: String] = [:], dropAt: Bool = false) -> ByteBuffer {
        var object =
            ((try? JSONSerialization.jsonObject(with: ClinicJSON.makeEncoder().encode(payload))) as? [String: Any])
            ?? [:]
        for (key, value) in extra { object[key] = value }
        if dropAt { object["at"] = nil }
        return jsonBody(object)
    }

    static let past = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01

    static func location() -> ByteBuffer {
        body(
            LocationOpened(at: past, name: "Soho", city: "London", timeZone: "Europe/London", currency: .usd),
            extra: ["locationID": "LDN"])
    }

    static func technician(_ id: String) -> ByteBuffer {
        body(TechnicianRegistered(at: past, displayName: "Tech \(id)"), extra: ["technicianID": id])
    }

    static func client(_ id: UUID) -> ByteBuffer {
        body(
            ClientRegistered(
                at: past,
                personal: PersonalDetails(
                    fullName: "Sam Client", contact: ContactDetails(email: "sam@example.com"),
                    dateOfBirth: CalendarDay(year: 1990, month: 5, day: 1) ?? CalendarDay(daysSinceEpoch: 7000))),
            extra: ["clientID": id.uuidString.lowercased()], dropAt: true)
    }

    static func consultation(technician: String, start: Date) throws -> ByteBuffer {
        body(
            ConsultationBooked(
                at: Date(), appointmentID: UUID(), slot: TimeSlot(start: start, minutes: 60),
                locationID: try #require(LocationID("LDN")), technicianID: try #require(TechnicianID(technician))),
            dropAt: true)
    }

    static func payment(minor: Int64) -> ByteBuffer {
        body(
            PaymentReceived(
                at: past, paymentID: UUID(), amount: Money(minorUnits: minor, currency: .usd), method: .card,
                purpose: .consultation),
            dropAt: true)
    }
}
