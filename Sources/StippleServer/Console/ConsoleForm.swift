import Clinic
import Foundation
import Imaging
import Projections

/// A front-desk form as the templates draw it: its fields with their values and errors.
///
/// Field names are the API's JSON paths (`personal.fullName`), so an error the command handler names
/// lands next to the field it is about.
struct ConsoleForm: Sendable {
    struct Option: Sendable {
        var value: String
        var label: String
    }

    struct Field: Sendable {
        var name: String
        var label: String
        var type = "text"
        var value = ""
        var required = false
        var options: [Option]? = nil
        var step: String? = nil
        /// For a file field: the media types the browser offers to pick.
        var accept: String? = nil
        var error: String? = nil
    }

    var fields: [Field]
    /// An error that is about no single field (a domain rule).
    var formError: String?

    /// The values as submitted, by field name.
    func value(_ name: String) -> String? {
        guard let text = fields.first(where: { $0.name == name })?.value.trimmingCharacters(in: .whitespaces),
            !text.isEmpty
        else { return nil }
        return text
    }

    /// The form with the submitted values filled in.
    func filled(_ submitted: [String: String]) -> ConsoleForm {
        var copy = self
        for index in copy.fields.indices {
            copy.fields[index].value = submitted[copy.fields[index].name] ?? ""
            copy.fields[index].error = nil
        }
        copy.formError = nil
        return copy
    }

    /// Puts `message` next to the field `path` names (the field itself, an alias, or the field whose name the
    /// path starts or ends with); on the form when no field matches.
    mutating func attach(_ message: String, to path: String?, aliases: [String: String] = [:]) {
        if let path {
            let target = aliases[path] ?? path
            let index =
                fields.firstIndex(where: { $0.name == target })
                ?? fields.firstIndex(where: { target.hasPrefix($0.name + ".") || $0.name.hasSuffix("." + target) })
            if let index {
                fields[index].error = message
                return
            }
        }
        formError = message
    }

    var hasErrors: Bool { formError != nil || fields.contains { $0.error != nil } }

    /// What the templates read.
    var context: [String: Any] {
        var context: [String: Any] = [
            "fields": fields.map { field -> [String: Any] in
                var item: [String: Any] = [
                    "id": "f-" + field.name.replacingOccurrences(of: ".", with: "-"), "name": field.name,
                    "label": field.label, "type": field.type, "value": field.value, "required": field.required,
                    "isSelect": field.options != nil,
                ]
                if let options = field.options {
                    item["options"] = options.map { option -> [String: Any] in
                        ["value": option.value, "label": option.label, "selected": option.value == field.value]
                    }
                }
                if let step = field.step { item["step"] = step }
                if let accept = field.accept { item["accept"] = accept }
                if let error = field.error { item["error"] = error }
                return item
            }
        ]
        if let formError { context["formError"] = formError }
        return context
    }

    // MARK: - The forms

    static func registration() -> ConsoleForm {
        ConsoleForm(fields: [
            Field(name: "personal.fullName", label: "Full name", required: true),
            Field(name: "personal.contact.email", label: "E-mail", type: "email"),
            Field(name: "personal.contact.phone", label: "Phone", type: "tel"),
            Field(name: "personal.dateOfBirth", label: "Date of birth", type: "date", required: true),
            Field(name: "referralSource", label: "Referred by (optional)"),
        ])
    }

    static func payment(currency: String?, locations: [ScheduleQueries.Place]) -> ConsoleForm {
        ConsoleForm(fields: [
            Field(name: "amount", label: "Amount", required: true, step: "0.01"),
            Field(name: "currency", label: "Currency", value: currency ?? "GBP", required: true),
            Field(
                name: "method", label: "Method", value: PaymentMethod.card.rawValue,
                options: PaymentMethod.allCases.map { Option(value: $0.rawValue, label: $0.rawValue) }),
            Field(
                name: "purpose", label: "For", value: PaymentPurpose.session.rawValue,
                options: PaymentPurpose.allCases.map { Option(value: $0.rawValue, label: $0.rawValue) }),
            Field(
                name: "locationID", label: "Taken at", value: locations.first?.id ?? "",
                options: [Option(value: "", label: "—")]
                    + locations.map { Option(value: $0.id, label: $0.name ?? $0.id) }),
        ])
    }

    static func consultation(locations: [ScheduleQueries.Place], technicians: [(id: String, name: String?)])
        -> ConsoleForm
    {
        ConsoleForm(fields: [
            Field(name: "start", label: "Starts (location's local time)", type: "datetime-local", required: true),
            Field(name: "minutes", label: "Minutes", type: "number", value: "60", required: true),
            Field(
                name: "locationID", label: "Location", value: locations.first?.id ?? "",
                options: locations.map { Option(value: $0.id, label: $0.name ?? $0.id) }),
            Field(
                name: "technicianID", label: "Technician", value: technicians.first?.id ?? "",
                options: technicians.map { Option(value: $0.id, label: $0.name ?? $0.id) }),
        ])
    }

    /// A photo upload: the image and the facts the API's upload route takes as query parameters.
    static func photoUpload(sizeLimit: Int) -> ConsoleForm {
        let stages = [
            "before", "immediately-after", "healing-day-3", "healing-day-7", "healing-day-14", "healed",
            "follow-up",
        ]
        let formats = ImageFormat.accepted.map { $0.rawValue.uppercased() }.joined(separator: ", ")
            .replacingOccurrences(of: "WEBP", with: "WebP")
        let megabytes = sizeLimit / (1024 * 1024)
        return ConsoleForm(fields: [
            Field(
                name: "photo", label: "Image (\(formats); at most \(megabytes) MB)", type: "file", required: true,
                accept: ImageFormat.accepted.map(\.mediaType).joined(separator: ",")),
            Field(
                name: "stage", label: "Stage", value: "before", required: true,
                options: stages.map { Option(value: $0, label: $0.replacingOccurrences(of: "-", with: " ")) }),
            Field(
                name: "angle", label: "View", value: PhotoAngle.front.rawValue, required: true,
                options: PhotoAngle.allCases.map { Option(value: $0.rawValue, label: $0.rawValue) }),
            Field(
                name: "consentScope", label: "Consent it is taken under",
                value: ConsentScope.clinicalPhotos.rawValue,
                options: [ConsentScope.clinicalPhotos, .marketingPhotos].map {
                    Option(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "-", with: " "))
                }),
            Field(
                name: "measuredDensity", label: "Measured density, 0–1 (optional)", type: "number", step: "0.01"),
        ])
    }

    /// Minor units from a decimal amount such as `120`, `120.5` or `120.50`.
    static func minorUnits(_ text: String) -> Int64? {
        let parts = text.replacingOccurrences(of: ",", with: "").split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let major = Int64(parts[0]), major >= 0, major < 1_000_000_000 else {
            return nil
        }
        var minor: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...2).contains(digits.count), digits.allSatisfy(\.isNumber), let value = Int64(digits) else {
                return nil
            }
            minor = digits.count == 1 ? value * 10 : value
        }
        return major * 100 + minor
    }
}
