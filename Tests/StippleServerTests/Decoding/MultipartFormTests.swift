import Foundation
import Testing

@testable import StippleServer

@Suite("multipart/form-data bodies as browsers send them")
struct MultipartFormTests {
    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"

    /// A body as Chromium writes one: CRLF line ends, a file part with its type, the closing delimiter.
    static func body(_ parts: [(head: String, data: Data)], boundary: String = boundary) -> Data {
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\n\(part.head)\r\n\r\n".utf8))
            body.append(part.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return body
    }

    @Test("text fields and a binary file come back as sent, even when the file holds line breaks and dashes")
    func fieldsAndFile() throws {
        // Bytes that look like the start of a delimiter but are not one.
        let image = Data([0xFF, 0xD8, 0x0D, 0x0A, 0x2D, 0x2D, 0x2D, 0x2D, 0x0D, 0x0A, 0x00, 0xFF, 0xD9])
        let body = Self.body([
            ("Content-Disposition: form-data; name=\"csrf\"", Data("abc123".utf8)),
            ("Content-Disposition: form-data; name=\"stage\"", Data("healing-day-7".utf8)),
            (
                "Content-Disposition: form-data; name=\"photo\"; filename=\"scalp %22top%22.jpg\"\r\nContent-Type: image/jpeg",
                image
            ),
        ])
        let form = try MultipartForm.parse(body, boundary: Self.boundary)
        #expect(form.fields == ["csrf": "abc123", "stage": "healing-day-7"])
        let file = try #require(form.file("photo"))
        #expect(file.data == image)
        #expect(file.contentType == "image/jpeg")
        #expect(file.filename == "scalp \"top\".jpg")
        #expect(form.file("stage") == nil, "a text field is not a file")
    }

    @Test("a file input left empty is a file part with an empty name and no bytes")
    func emptyFile() throws {
        let body = Self.body([
            (
                "Content-Disposition: form-data; name=\"photo\"; filename=\"\"\r\nContent-Type: application/octet-stream",
                Data()
            )
        ])
        let file = try #require(try MultipartForm.parse(body, boundary: Self.boundary).file("photo"))
        #expect(file.filename == "")
        #expect(file.data.isEmpty)
    }

    @Test("the boundary comes from a multipart/form-data Content-Type only")
    func boundaryFromHeader() {
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=\(Self.boundary)") == Self.boundary)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/mixed; boundary=x") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartForm.boundary(contentType: nil) == nil)
    }

    @Test("malformed bodies are 400 problems naming the body")
    func malformed() {
        let good = Self.body([("Content-Disposition: form-data; name=\"a\"", Data("1".utf8))])
        let cases: [(String, Data)] = [
            ("another boundary", Self.body([("Content-Disposition: form-data; name=\"a\"", Data())], boundary: "zzz")),
            ("no closing delimiter", good.prefix(good.count - Data("--\(Self.boundary)--\r\n".utf8).count)),
            ("no disposition", Self.body([("Content-Type: text/plain", Data("1".utf8))])),
            ("no name", Self.body([("Content-Disposition: form-data", Data("1".utf8))])),
            ("headers that never end", Data("--\(Self.boundary)\r\nContent-Disposition: form-data".utf8)),
            (
                "too many parts",
                Self.body(
                    Array(
                        repeating: ("Content-Disposition: form-data; name=\"a\"", Data("1".utf8)),
                        count: MultipartForm.maximumParts + 1))
            ),
        ]
        for (name, body) in cases {
            #expect(throws: Problem.self, "\(name)") { try MultipartForm.parse(body, boundary: Self.boundary) }
            do {
                _ = try MultipartForm.parse(body, boundary: Self.boundary)
            } catch {
                #expect(error.status == .badRequest, "\(name)")
                #expect(error.field == "body", "\(name)")
                #expect(error.detail.hasPrefix("the body is not valid multipart/form-data"), "\(name)")
            }
        }
    }
}
