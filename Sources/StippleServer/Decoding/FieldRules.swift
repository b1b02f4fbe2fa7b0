import Clinic
import Foundation

/// Bounds every text in a request body before it is decoded: length per field (a default for
/// fields not listed), formats for e-mail, phone and dates, and sizes of lists.
///
/// The table is keyed by a member's name wherever it appears (`email` inside `personal.contact`
/// as much as anywhere), so one table serves every command, the key and webhook routes and the
/// console's forms; `OpenAPIDocument` publishes the same numbers as `maxLength`.
public enum FieldRules {
    /// The longest text a field not listed in `maximumLength` may hold.
    public static let defaultMaximumLength = 1000
    /// The most items a list may hold.
    public static let maximumItems = 500

    /// The longest text per member name (characters, as JSON Schema's `maxLength` counts them).
    public static let maximumLength: [String: Int] = {
        var table: [String: Int] = [:]
        for name in [
            "fullName", "displayName", "name", "city", "referralSource", "product", "supplier", "provider",
            "certificateNumber", "chosenShade", "dilution", "naturalHairColour", "needleConfiguration", "pattern",
            "formVersion", "instructionSetID", "legacyLabel", "purpose", "currentMedications", "changedBy",
            "reversedBy", "publishedBy",
        ] {
            table[name] = 200
        }
        for name in ["body", "medicalNotes", "notes", "statedGoals", "text"] { table[name] = 4000 }
        table["reason"] = 1000
        table["email"] = ContactDetails.maximumEmailLength
        table["phone"] = ContactDetails.maximumPhoneLength
        table["timeZone"] = 64
        table["mediaType"] = 100
        table["contentHash"] = 128
        table["url"] = 2048
        return table
    }()

    /// Members holding a day or a time: their year must be plausible.
    static func isDateField(_ name: String) -> Bool {
        name == "at" || name == "start" || name == "end" || name == "dateOfBirth" || name.hasSuffix("At")
            || name.hasSuffix("On")
    }

    /// The years a day or a time may fall in.
    public static let plausibleYears = 1900...2199

    /// The most characters `name` may hold.
    public static func maximumLength(of name: String) -> Int {
        maximumLength[name] ?? defaultMaximumLength
    }

    /// Checks every member of `value` (recursively); throws a 400 naming the first one at fault.
    public static func check(_ value: JSONValue, path: String = "") throws(Problem) {
        switch value {
        case .object(let members):
            for member in members {
                try check(member.value, path: path.isEmpty ? member.key : "\(path).\(member.key)", name: member.key)
            }
        case .array(let items):
            guard items.count <= maximumItems else {
                throw Problem.badRequest("\(label(path)) may hold at most \(maximumItems) items", field: label(path))
            }
            for (index, item) in items.enumerated() { try check(item, path: "\(path)[\(index)]") }
        default:
            return
        }
    }

    private static func label(_ path: String) -> String { path.isEmpty ? "(body)" : path }

    private static func check(_ value: JSONValue, path: String, name: String) throws(Problem) {
        switch value {
        case .string(let text):
            try checkText(text, field: path, name: name)
        case .array(let items):
            guard items.count <= maximumItems else {
                throw Problem.badRequest("\(path) may hold at most \(maximumItems) items", field: path)
            }
            for (index, item) in items.enumerated() {
                if case .string(let text) = item {
                    try checkText(text, field: "\(path)[\(index)]", name: name)
                } else {
                    try check(item, path: "\(path)[\(index)]")
                }
            }
        case .object:
            try check(value, path: path)
        default:
            return
        }
    }

    /// Checks one text: no NUL, within its length, and in its format where it has one.
    public static func checkText(_ text: String, field: String, name: String) throws(Problem) {
        if text.unicodeScalars.contains("\u{0}") {
            throw Problem.badRequest("\(field) must not contain a NUL character", field: field)
        }
        let limit = maximumLength(of: name)
        guard text.unicodeScalars.count <= limit else {
            throw Problem.badRequest(
                "\(field) is \(text.unicodeScalars.count) characters long; at most \(limit) are allowed", field: field)
        }
        switch name {
        case "email":
            if let reason = ContactDetails.emailProblem(text) {
                throw Problem.badRequest("\(field) is not an e-mail address: it \(reason)", field: field)
            }
        case "phone":
            if let reason = ContactDetails.phoneProblem(text) {
                throw Problem.badRequest("\(field) is not a phone number: it \(reason)", field: field)
            }
        case _ where isDateField(name):
            try checkDate(text, field: field, name: name)
        default:
            return
        }
    }

    private static func checkDate(_ text: String, field: String, name: String) throws(Problem) {
        let digits = text.prefix(4)
        guard digits.count == 4, digits.allSatisfy(\.isASCII), let year = Int(digits) else { return }
        guard plausibleYears.contains(year) else {
            throw Problem.badRequest(
                "\(field) is in the year \(digits); dates must fall in \(plausibleYears.lowerBound)–"
                    + "\(plausibleYears.upperBound)", field: field)
        }
        if name == "dateOfBirth", let day = CalendarDay(iso: text), day < PersonalDetails.earliestDateOfBirth {
            throw Problem.badRequest(
                "\(field) must be on or after \(PersonalDetails.earliestDateOfBirth)", field: field)
        }
    }
}
