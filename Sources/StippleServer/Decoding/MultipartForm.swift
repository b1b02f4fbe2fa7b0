import Foundation
import Hummingbird

/// A `multipart/form-data` body (RFC 7578) as a browser's file-upload form sends it: text fields and files.
///
/// None of the project's dependencies reads multipart bodies, so this is a small strict reader: the boundary
/// comes from the `Content-Type` header, every part needs a `Content-Disposition: form-data` with a `name`,
/// the closing delimiter must be there, and the number of parts and the size of their headers are bounded.
/// A malformed body is a 400 problem naming `body`, as the API's decoding does.
public struct MultipartForm: Sendable {
    /// One part: a text field, or a file when it has a file name.
    public struct Part: Sendable, Hashable {
        public var name: String
        /// The file's name as the browser sent it (nil for a text field; empty when no file was chosen).
        public var filename: String?
        /// The part's declared media type (nil when it declares none).
        public var contentType: String?
        public var data: Data
    }

    /// The parts in the order they were sent.
    public var parts: [Part]

    /// The most parts a form may have.
    public static let maximumParts = 32
    /// The most bytes of headers one part may have.
    public static let maximumPartHead = 8 * 1024

    /// The text fields by name (the last of a repeated name wins); files are left out.
    public var fields: [String: String] {
        var fields: [String: String] = [:]
        for part in parts where part.filename == nil {
            fields[part.name] = String(decoding: part.data, as: UTF8.self)
        }
        return fields
    }

    /// The first file part named `name`.
    public func file(_ name: String) -> Part? {
        parts.first { $0.name == name && $0.filename != nil }
    }

    /// The boundary of a `multipart/form-data` content type, or nil for any other type.
    public static func boundary(contentType: String?) -> String? {
        guard let contentType, let type = MediaType(from: contentType), type.type == .multipart,
            type.subType == "form-data", let parameter = type.parameter, parameter.name.lowercased() == "boundary",
            (1...70).contains(parameter.value.utf8.count)
        else { return nil }
        return parameter.value
    }

    /// Parses `body` sent with `boundary`.
    public static func parse(_ body: Data, boundary: String) throws(Problem) -> MultipartForm {
        let bytes = [UInt8](body)
        let delimiter = Array("--\(boundary)".utf8)
        // The body starts with the first delimiter (a preamble before it, after a line break, is skipped).
        var index: Int
        if bytes.starts(with: delimiter) {
            index = delimiter.count
        } else if let found = search(Array("\r\n".utf8) + delimiter, in: bytes, from: 0) {
            index = found + 2 + delimiter.count
        } else {
            throw malformed("the body does not start with the boundary the Content-Type names")
        }
        let separator = Array("\r\n".utf8) + delimiter
        var parts: [Part] = []
        while true {
            // After a delimiter: "--" closes the body, a line break opens a part.
            if bytes[index..<min(index + 2, bytes.count)].elementsEqual("--".utf8) { break }
            guard bytes[index..<min(index + 2, bytes.count)].elementsEqual("\r\n".utf8) else {
                throw malformed("a boundary is not followed by a line break")
            }
            index += 2
            guard let headEnd = search(Array("\r\n\r\n".utf8), in: bytes, from: index),
                headEnd - index <= maximumPartHead
            else { throw malformed("a part's headers do not end (or are over \(maximumPartHead) bytes)") }
            let head = String(decoding: bytes[index..<headEnd], as: UTF8.self)
            let start = headEnd + 4
            guard let end = search(separator, in: bytes, from: start) else {
                throw malformed("the body ends without its closing boundary")
            }
            parts.append(try part(head: head, data: Data(bytes[start..<end])))
            guard parts.count <= maximumParts else { throw malformed("more than \(maximumParts) parts") }
            index = end + separator.count
        }
        return MultipartForm(parts: parts)
    }

    /// A part from its header lines and content.
    private static func part(head: String, data: Data) throws(Problem) -> Part {
        var disposition: String?
        var contentType: String?
        for line in head.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw malformed("a part's header line has no colon") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-disposition" { disposition = value }
            if name == "content-type" { contentType = value }
        }
        guard let disposition else { throw malformed("a part has no Content-Disposition") }
        let parameters = Self.parameters(disposition)
        guard parameters.type == "form-data", let name = parameters.values["name"] else {
            throw malformed("a part's Content-Disposition is not form-data with a name")
        }
        return Part(name: name, filename: parameters.values["filename"], contentType: contentType, data: data)
    }

    /// `form-data; name="photo"; filename="a.jpg"` as its type and parameters (quoted values unquoted; browsers
    /// write a quote inside a value as `%22`, which is decoded back).
    static func parameters(_ header: String) -> (type: String, values: [String: String]) {
        var values: [String: String] = [:]
        var rest = Substring(header)
        func token(until stop: Character) -> Substring {
            let end = rest.firstIndex(of: stop) ?? rest.endIndex
            defer { rest = rest[end...] }
            return rest[..<end]
        }
        let type = token(until: ";").trimmingCharacters(in: .whitespaces).lowercased()
        while rest.first == ";" {
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            let key = token(until: "=").trimmingCharacters(in: .whitespaces).lowercased()
            guard rest.first == "=" else { break }
            rest = rest.dropFirst()
            var value: String
            if rest.first == "\"" {
                rest = rest.dropFirst()
                value = ""
                while let character = rest.first, character != "\"" {
                    if character == "\\", rest.count > 1 {
                        rest = rest.dropFirst()
                    }
                    value.append(rest.removeFirst())
                }
                rest = rest.dropFirst()
                _ = token(until: ";")
            } else {
                value = token(until: ";").trimmingCharacters(in: .whitespaces)
            }
            values[key] = value.replacingOccurrences(of: "%22", with: "\"")
        }
        return (type, values)
    }

    /// The first index at or after `from` where `needle` starts in `bytes` (`memchr` finds the candidates, so a
    /// 25 MB image is scanned quickly even in a debug build).
    static func search(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, from >= 0, bytes.count - from >= needle.count else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            var index = from
            let last = buffer.count - needle.count
            while index <= last {
                guard let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
                let candidate = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + candidate, needle, needle.count) == 0 { return candidate }
                index = candidate + 1
            }
            return nil
        }
    }

    private static func malformed(_ detail: String) -> Problem {
        Problem.badRequest("the body is not valid multipart/form-data: \(detail)", field: "body")
    }
}
