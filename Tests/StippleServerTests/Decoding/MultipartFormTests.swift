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
                    (0...MultipartForm.maximumParts).map {
                        ("Content-Disposition: form-data; name=\"a\($0)\"", Data("1".utf8))
                    })
            ),
            // What MultipartKit's parser refuses on its own.
            ("a boundary followed by other bytes", Data("--\(Self.boundary)XY\r\n\r\n1\r\n".utf8) + good),
            ("a header line without a colon", Self.body([("Content-Disposition form-data; name=\"a\"", Data())])),
            (
                "a header line ending in a bare CR",
                Self.body([("Content-Disposition: form-data; name=\"a\"\rX: y", Data())])
            ),
            ("only the closing delimiter", Data("--\(Self.boundary)--\r\n".utf8)),
            (
                "headers over the bound",
                Self.body([
                    (
                        "Content-Disposition: form-data; name=\"a\"\r\nX-Padding: "
                            + String(repeating: "p", count: MultipartForm.maximumPartHead), Data("1".utf8)
                    )
                ])
            ),
            ("an empty body", Data()),
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

    @Test("an empty or over-long boundary is a 400 problem naming the body, not a crash in the parser")
    func badBoundary() {
        for boundary in ["", String(repeating: "b", count: 71)] {
            #expect(throws: Problem.self, "\(boundary.count)") {
                try MultipartForm.parse(Self.body([]), boundary: boundary)
            }
        }
    }

    @Test("a preamble before the first delimiter and an epilogue after the closing one are ignored")
    func preambleAndEpilogue() throws {
        let body =
            Data("This is a preamble.\r\n".utf8)
            + Self.body([("Content-Disposition: form-data; name=\"a\"", Data("1".utf8))])
            + Data("an epilogue\r\n".utf8)
        #expect(try MultipartForm.parse(body, boundary: Self.boundary).fields == ["a": "1"])
    }

    @Test("a field sent twice is a 400 problem naming it; a text field or file over its limit is a 413 naming it")
    func repeatedAndOversizedParts() {
        func problem(_ body: Data, fileLimit: Int = 1024) -> Problem? {
            do {
                _ = try MultipartForm.parse(body, boundary: Self.boundary, fileLimit: fileLimit)
                return nil
            } catch {
                return error
            }
        }
        let twice = problem(
            Self.body([
                ("Content-Disposition: form-data; name=\"stage\"", Data("before".utf8)),
                ("Content-Disposition: form-data; name=\"stage\"", Data("healed".utf8)),
            ]))
        #expect(twice?.status == .badRequest)
        #expect(twice?.field == "stage")
        #expect(twice?.detail.contains("`stage` is sent more than once") == true, "\(String(describing: twice))")
        let file = "Content-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg"
        let twoFiles = problem(Self.body([(file, Data([1])), (file, Data([2]))]))
        #expect(twoFiles?.field == "photo")
        #expect(twoFiles?.status == .badRequest)

        let longField = problem(
            Self.body([
                (
                    "Content-Disposition: form-data; name=\"stage\"",
                    Data(repeating: 0x61, count: MultipartForm.maximumFieldBytes + 1)
                )
            ]))
        #expect(longField?.status == .contentTooLarge)
        #expect(longField?.field == "stage")
        #expect(longField?.detail == "`stage` is over the limit of \(MultipartForm.maximumFieldBytes) bytes")
        let atFieldLimit = Self.body([
            (
                "Content-Disposition: form-data; name=\"stage\"",
                Data(repeating: 0x61, count: MultipartForm.maximumFieldBytes)
            )
        ])
        #expect(problem(atFieldLimit) == nil, "a field exactly at the limit is read")

        let bigFile = problem(Self.body([(file, Data(repeating: 0x0D, count: 1025))]), fileLimit: 1024)
        #expect(bigFile?.status == .contentTooLarge)
        #expect(bigFile?.field == "photo")
        #expect(bigFile?.detail == "`photo` is over the limit of 1024 bytes")
        #expect(problem(Self.body([(file, Data(repeating: 0x0D, count: 1024))]), fileLimit: 1024) == nil)
    }
}
