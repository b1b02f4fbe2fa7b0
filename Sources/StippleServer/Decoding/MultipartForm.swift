import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A `multipart/form-data` body (RFC 7578) as a browser's file-upload form sends it: text fields and files.
///
/// The framing (boundaries, part headers, the preamble and epilogue) is read by MultipartKit's `MultipartParser`;
/// this type adds what a form upload needs on top: every part needs a `Content-Disposition: form-data` with a
/// `name`, no name may come twice, the closing delimiter must be there, and the number of parts, the size of their
/// headers and the size of each part are bounded. A malformed body is a 400 problem naming `body`, as the API's
/// decoding does; a repeated part is a 400 and an oversized one a 413 naming the part.
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
    /// The most bytes a text field (a part without a file name) may have.
    public static let maximumFieldBytes = 16 * 1024

    /// The text fields by name; files are left out.
    public var fields: [String: String] {
        var fields: [String: String] = [:]
        for part in parts where part.filename == nil {
            fields[part.name] = String(decoding: part.data, as: UTF8.self)
        }
        return fields
    }

    /// The file part named `name`.
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

    /// Parses `body` sent with `boundary`; a file part may hold at most `fileLimit` bytes, a text field
    /// `maximumFieldBytes`.
    public static func parse(_ body: Data, boundary: String, fileLimit: Int = 25 * 1024 * 1024) throws(Problem)
        -> MultipartForm
    {
        guard (1...70).contains(boundary.utf8.count) else { throw malformed("the boundary is empty or too long") }
        let collector = Collector(fileLimit: fileLimit)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.header(name, value) }
        parser.onBody = { (chunk: inout ByteBuffer) in collector.body(chunk) }
        parser.onPartComplete = { collector.complete() }
        // Fed in slices so that a refusal (an oversized or repeated part) stops the reading there.
        var buffer = ByteBuffer(data: body)
        while collector.problem == nil, let slice = buffer.readSlice(length: min(64 * 1024, buffer.readableBytes)),
            slice.readableBytes > 0
        {
            do {
                try parser.execute(slice)
            } catch {
                throw malformed("a boundary is not followed by a line break, or a part's header line is malformed")
            }
        }
        if let problem = collector.problem { throw problem }
        guard !collector.open, contains(body, Data("\r\n--\(boundary)--".utf8)) else {
            if collector.parts.isEmpty, !collector.open, !contains(body, Data("--\(boundary)".utf8)) {
                throw malformed("the body does not start with the boundary the Content-Type names")
            }
            throw malformed("the body ends without its closing boundary")
        }
        return MultipartForm(parts: collector.parts)
    }

    /// Whether `needle` occurs in `body`.
    private static func contains(_ body: Data, _ needle: Data) -> Bool {
        body.range(of: needle) != nil
    }

    /// The parts as MultipartKit's callbacks hand them over, and the first refusal.
    private final class Collector {
        let fileLimit: Int
        var parts: [Part] = []
        var problem: Problem?
        /// Whether a part has begun (headers or bytes seen) and not ended.
        var open = false
        private var headBytes = 0
        private var disposition: String?
        private var contentType: String?
        private var current: Part?

        init(fileLimit: Int) {
            self.fileLimit = fileLimit
        }

        func header(_ name: String, _ value: String) {
            guard problem == nil else { return }
            open = true
            headBytes += name.utf8.count + value.utf8.count + 4
            guard headBytes <= MultipartForm.maximumPartHead else {
                problem = MultipartForm.malformed("a part's headers are over \(MultipartForm.maximumPartHead) bytes")
                return
            }
            switch name.lowercased() {
            case "content-disposition": disposition = value
            case "content-type": contentType = value
            default: break
            }
        }

        func body(_ chunk: ByteBuffer) {
            guard problem == nil else { return }
            open = true
            if current == nil { begin() }
            guard var part = current else { return }
            let limit = part.filename == nil ? MultipartForm.maximumFieldBytes : fileLimit
            guard part.data.count + chunk.readableBytes <= limit else {
                problem = Problem(
                    .contentTooLarge, kind: "too-large", title: "A form field is too large",
                    detail: "`\(part.name)` is over the limit of \(limit) bytes", field: part.name)
                return
            }
            current = nil  // one reference to the bytes while appending
            part.data.append(contentsOf: chunk.readableBytesView)
            current = part
        }

        func complete() {
            guard problem == nil else { return }
            if current == nil { begin() }
            if let part = current { parts.append(part) }
            current = nil
            open = false
            headBytes = 0
            disposition = nil
            contentType = nil
        }

        /// A part's name, file name and type from its headers, once they are all read.
        private func begin() {
            guard let disposition else {
                problem = MultipartForm.malformed("a part has no Content-Disposition")
                return
            }
            let parameters = MultipartForm.parameters(disposition)
            guard parameters.type == "form-data", let name = parameters.values["name"] else {
                problem = MultipartForm.malformed("a part's Content-Disposition is not form-data with a name")
                return
            }
            guard !parts.contains(where: { $0.name == name }) else {
                problem = .badRequest("`\(name)` is sent more than once; a form sends each field once", field: name)
                return
            }
            guard parts.count < MultipartForm.maximumParts else {
                problem = MultipartForm.malformed("more than \(MultipartForm.maximumParts) parts")
                return
            }
            current = Part(name: name, filename: parameters.values["filename"], contentType: contentType, data: Data())
        }
    }

    /// `form-data; name="photo"; filename="a.jpg"` as its type and parameters (quoted values unquoted; browsers
    /// write a quote inside a value as `%22`, which is decoded back). MultipartKit reads only the `name` (and
    /// not a quoted one holding `;` or `=`), so the header's parameters are read here.
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

    fileprivate static func malformed(_ detail: String) -> Problem {
        Problem.badRequest("the body is not valid multipart/form-data: \(detail)", field: "body")
    }
}
