import CivilCalendar
import Foundation
import TextCodecs

/// The input of a `COPY … FROM STDIN (FORMAT binary)`: rows in PostgreSQL's binary COPY format, each value in
/// its type's binary form (what the type's `recv` function reads), so the server parses no text.
///
/// The file is a header (the signature `PGCOPY\n\377\r\n\0`, 32-bit flags and header extension length, both
/// 0), then per row a 16-bit field count and per field a 32-bit length (-1 for NULL) and that many bytes, then
/// the trailer, a field count of -1; every integer big-endian. Only the rows are kept here; `copyIn` sends
/// the header and trailer around them. A row starts with its field count (`beginRow(fieldCount:)`), then
/// that many fields follow.
///
/// A field's binary form must be the column's type exactly (an `integer` column reads 4 bytes, a `bigint` 8):
/// choose the append from the column's type, not from the Swift value (`ColumnType`,
/// `appendInteger(_:as:)`). The server checks each row's field count and each field's length.
///
///     var rows = CopyBinaryRows()
///     rows.beginRow(fieldCount: 3)
///     try rows.appendInteger(7, as: .integer)
///     try rows.appendText("O'Brien\tand \\ friends")
///     rows.appendNull()
///     try await connection.copyIn(into: "notes", schema: "public", columns: ["n", "body", "note"], rows)
public struct CopyBinaryRows: Sendable {
    /// The column types this buffer writes, named as a column declaration names them.
    public enum ColumnType: Sendable, Hashable, CustomStringConvertible {
        case smallint, integer, bigint, doublePrecision, boolean, uuid, text, json, jsonb, timestamptz, date

        /// The type a column declaration starts with (`"integer NOT NULL"`, `"double precision"`,
        /// `"timestamp with time zone"`, `"int8"`, any case), or nil for any other type, an array among them.
        public init?(declaration: String) {
            let text = declaration.lowercased().drop { $0 == " " }
            for (name, type) in Self.names where text.hasPrefix(name) {
                let rest = text.dropFirst(name.count)
                guard let next = rest.first else {
                    self = type
                    return
                }
                guard next == " " || next == "\t" || next == "\n" else { continue }
                let after = rest.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
                if after.hasPrefix("[") || after.hasPrefix("array") { return nil }
                self = type
                return
            }
            return nil
        }

        /// Longer names first, where one begins another (`jsonb` before `json`, `int8` before `int`).
        private static let names: [(String, ColumnType)] = [
            ("timestamp with time zone", .timestamptz), ("double precision", .doublePrecision),
            ("timestamptz", .timestamptz), ("smallint", .smallint), ("integer", .integer), ("bigint", .bigint),
            ("boolean", .boolean), ("float8", .doublePrecision), ("jsonb", .jsonb), ("json", .json),
            ("uuid", .uuid), ("text", .text), ("date", .date), ("int2", .smallint), ("int4", .integer),
            ("int8", .bigint), ("bool", .boolean), ("int", .integer),
        ]

        public var description: String {
            switch self {
            case .smallint: "smallint"
            case .integer: "integer"
            case .bigint: "bigint"
            case .doublePrecision: "double precision"
            case .boolean: "boolean"
            case .uuid: "uuid"
            case .text: "text"
            case .json: "json"
            case .jsonb: "jsonb"
            case .timestamptz: "timestamptz"
            case .date: "date"
            }
        }
    }

    /// A value that has no binary form in the column's type (nothing of it was appended).
    public struct InvalidValue: Error, Sendable, CustomStringConvertible {
        /// The value, as given (shortened when long).
        public let value: String
        public let type: ColumnType
        public let reason: String

        public init(_ value: String, _ type: ColumnType, _ reason: String) {
            self.value = value.count > 80 ? value.prefix(80) + "…" : value
            self.type = type
            self.reason = reason
        }

        public var description: String { "cannot write \(value) as \(type): \(reason)" }
    }

    /// The file's header: signature, flags (0: no OIDs), header extension length (0).
    static let header: [UInt8] =
        [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0, 0, 0, 0, 0]
    /// The file's trailer: a field count of -1.
    static let trailer: [UInt8] = [0xFF, 0xFF]

    /// The rows written so far, without the file's header and trailer.
    public private(set) var rowBytes: [UInt8] = []
    public private(set) var rowCount = 0

    public init(reservingCapacity capacity: Int = 0) {
        rowBytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { rowCount == 0 }

    /// Starts a row of `fieldCount` fields (0...32767, what the format's 16-bit count says): the appends that
    /// follow are its fields. The server refuses a row whose fields are not as many as its columns.
    public mutating func beginRow(fieldCount: Int) {
        precondition((0...Int(Int16.max)).contains(fieldCount), "a COPY row has 0...32767 fields")
        put(Int16(truncatingIfNeeded: fieldCount))
        rowCount += 1
    }

    /// Appends a NULL field.
    public mutating func appendNull() {
        put(Int32(-1))
    }

    /// Appends a `smallint` field.
    public mutating func appendInt16(_ value: Int16) {
        put(Int32(2))
        put(value)
    }

    /// Appends an `integer` field.
    public mutating func appendInt32(_ value: Int32) {
        put(Int32(4))
        put(value)
    }

    /// Appends a `bigint` field.
    public mutating func appendInt64(_ value: Int64) {
        put(Int32(8))
        put(value)
    }

    /// Appends `value` as a field of the integer column type `type`, in that type's width; a value outside
    /// the type's range, or a `type` that is not an integer type, throws (nothing is appended).
    public mutating func appendInteger(_ value: Int64, as type: ColumnType) throws(InvalidValue) {
        switch type {
        case .bigint:
            appendInt64(value)
        case .integer:
            guard let narrow = Int32(exactly: value) else {
                throw InvalidValue(String(value), type, "out of range (\(Int32.min)...\(Int32.max))")
            }
            appendInt32(narrow)
        case .smallint:
            guard let narrow = Int16(exactly: value) else {
                throw InvalidValue(String(value), type, "out of range (\(Int16.min)...\(Int16.max))")
            }
            appendInt16(narrow)
        default:
            throw InvalidValue(String(value), type, "an integer for a column that is not an integer type")
        }
    }

    /// Appends a `double precision` field: the IEEE 754 bits as given (NaN, the infinities and -0 included).
    public mutating func appendFloat64(_ value: Double) {
        put(Int32(8))
        put(value.bitPattern)
    }

    /// Appends a `boolean` field.
    public mutating func appendBool(_ value: Bool) {
        put(Int32(1))
        rowBytes.append(value ? 1 : 0)
    }

    /// Appends a `uuid` field from its 16 bytes.
    public mutating func appendUUID(_ bytes: UUIDText.Bytes) {
        put(Int32(16))
        withUnsafeBytes(of: bytes) { rowBytes.append(contentsOf: $0) }
    }

    /// Appends a `uuid` field.
    public mutating func appendUUID(_ uuid: UUID) {
        appendUUID(uuid.uuid)
    }

    /// Appends a `uuid` field from its canonical text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, either case);
    /// other text throws.
    public mutating func appendUUID(text: String) throws(InvalidValue) {
        let bytes = Self.utf8(of: text) { UUIDText.parse($0) }
        guard let bytes else { throw InvalidValue(text, .uuid, "not a UUID in its canonical text") }
        appendUUID(bytes)
    }

    /// Appends a `timestamptz` field: microseconds since 2000-01-01T00:00:00Z.
    public mutating func appendTimestamp(microsecondsSince2000: Int64) {
        put(Int32(8))
        put(microsecondsSince2000)
    }

    /// Appends a `timestamptz` field for `date`, rounded to the microsecond (as a `Date` parameter is bound).
    public mutating func appendTimestamp(_ date: Date) throws(InvalidValue) {
        let micros = ((date.timeIntervalSince1970 - Double(Self.epoch2000)) * 1_000_000).rounded()
        guard let exact = Int64(exactly: micros) else {
            throw InvalidValue("\(date.timeIntervalSince1970) s since 1970", .timestamptz, "out of range")
        }
        appendTimestamp(microsecondsSince2000: exact)
    }

    /// Appends a `timestamptz` field from ISO 8601 text in UTC or with an offset,
    /// `YYYY-MM-DD[T| ]HH:MM:SS[.ffffff][Z|±HH[:MM]]`: the instant PostgreSQL reads from that text, to the
    /// microsecond (digits past a fraction's sixth are dropped, where PostgreSQL would round). Text not of that
    /// shape throws.
    public mutating func appendTimestamp(text: String) throws(InvalidValue) {
        let parts = Self.utf8(of: text) { PostgresTimestamp.parseParts($0) }
        guard let parts else { throw InvalidValue(text, .timestamptz, "not an ISO 8601 date and time") }
        let (seconds, overflow) = parts.seconds.subtractingReportingOverflow(Self.epoch2000)
        let (micros, overflowMicros) = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow, !overflowMicros else { throw InvalidValue(text, .timestamptz, "out of range") }
        appendTimestamp(microsecondsSince2000: micros + parts.micros)
    }

    /// Appends a `date` field: days since 2000-01-01.
    public mutating func appendDate(daysSince2000: Int32) {
        put(Int32(4))
        put(daysSince2000)
    }

    /// Appends a `date` field: the UTC calendar day `date` falls on.
    public mutating func appendDate(_ date: Date) throws(InvalidValue) {
        let days = (date.timeIntervalSince1970 / 86_400).rounded(.down) - Double(Self.days1970To2000)
        guard let since2000 = Int32(exactly: days) else {
            throw InvalidValue("\(date.timeIntervalSince1970) s since 1970", .date, "out of range")
        }
        appendDate(daysSince2000: since2000)
    }

    /// Appends a `date` field from `YYYY-MM-DD` text, optionally followed by a time (`T` or a space, then
    /// anything: the date is the one written, whatever the time or zone, as PostgreSQL's `date` input takes
    /// it). Other text, or a day the month does not have, throws.
    public mutating func appendDate(text: String) throws(InvalidValue) {
        let days = Self.utf8(of: text) { Self.days(of: $0) }
        guard let days, let since2000 = Int32(exactly: days - Self.days1970To2000) else {
            throw InvalidValue(text, .date, "not a calendar day written YYYY-MM-DD")
        }
        appendDate(daysSince2000: since2000)
    }

    /// Appends a `text` field: the UTF-8 bytes.
    public mutating func appendText(_ text: String) throws(InvalidValue) {
        try appendVariable(text, type: .text, prefix: nil)
    }

    /// Appends a `json` field from its text (the server checks it).
    public mutating func appendJSON(_ text: String) throws(InvalidValue) {
        try appendVariable(text, type: .json, prefix: nil)
    }

    /// Appends a `jsonb` field from JSON text (sent as version 1 of `jsonb`'s binary form, the text after a
    /// version byte; the server parses it).
    public mutating func appendJSONB(_ text: String) throws(InvalidValue) {
        try appendVariable(text, type: .jsonb, prefix: 1)
    }

    /// Appends a `json` field from the UTF-8 of its text.
    public mutating func appendJSON(utf8: Data) throws(InvalidValue) {
        try appendVariable(utf8, type: .json, prefix: nil)
    }

    /// Appends a `jsonb` field from the UTF-8 of its text.
    public mutating func appendJSONB(utf8: Data) throws(InvalidValue) {
        try appendVariable(utf8, type: .jsonb, prefix: 1)
    }

    // MARK: - Writing

    /// 2000-01-01T00:00:00Z in seconds since 1970: the epoch of `timestamptz` and `date`'s binary forms.
    public static let epoch2000: Int64 = 946_684_800
    /// 2000-01-01 in days since 1970-01-01.
    private static let days1970To2000 = 10_957
    /// The largest field the format's 32-bit length can say.
    private static let maximumField = Int(Int32.max)

    private mutating func put<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.bigEndian) { rowBytes.append(contentsOf: $0) }
    }

    private mutating func appendVariable(_ text: String, type: ColumnType, prefix: UInt8?) throws(InvalidValue) {
        var text = text
        let appended = text.withUTF8 { utf8 in appendVariable(utf8, prefix: prefix) }
        guard appended else { throw InvalidValue(text, type, "longer than a field can be") }
    }

    private mutating func appendVariable(_ utf8: Data, type: ColumnType, prefix: UInt8?) throws(InvalidValue) {
        let appended = utf8.withUnsafeBytes { raw in appendVariable(raw.bindMemory(to: UInt8.self), prefix: prefix) }
        guard appended else { throw InvalidValue("\(utf8.count) bytes", type, "longer than a field can be") }
    }

    /// Appends a field of `prefix` (if any) and `bytes`; false (nothing appended) when too long for a field.
    private mutating func appendVariable(_ bytes: UnsafeBufferPointer<UInt8>, prefix: UInt8?) -> Bool {
        let length = bytes.count + (prefix == nil ? 0 : 1)
        guard length <= Self.maximumField else { return false }
        put(Int32(truncatingIfNeeded: length))
        if let prefix { rowBytes.append(prefix) }
        rowBytes.append(contentsOf: bytes)
        return true
    }

    /// `body` of `text`'s UTF-8 (in place for a native string).
    private static func utf8<Result>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var text = text
        return text.withUTF8(body)
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD` (optionally followed by `T` or a space and anything), or nil.
    private static func days(of text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard text.count >= 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-") else { return nil }
        if text.count > 10, text[10] != UInt8(ascii: "T"), text[10] != UInt8(ascii: " ") { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(text[index]) - 48
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month),
            day >= 1
        else { return nil }
        let days = CivilDays.days(year: year, month: month, day: day)
        let back = CivilDays.date(days: days)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return days
    }
}
