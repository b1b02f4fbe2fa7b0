import Foundation
import StippleServer
import Testing

/// `WebhookSignature` on its own: what verifies and what does not (no server, no receiver).
struct WebhookSignatureTests {
    let body = Data(#"{"position":7}"#.utf8)
    let secret = "whsec_0123456789abcdef"
    let time = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theHeaderVerifiesAndItsMacInEitherCase() throws {
        let header = WebhookSignature.header(body: body, secret: secret, time: time)
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret, now: time))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret + "x", now: time))
        #expect(!WebhookSignature.verify(header: header, body: Data("{}".utf8), secret: secret, now: time))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret, now: time + 301), "too old")
        let mac = try #require(header.split(separator: ",").last).dropFirst(3)
        #expect(mac.count == 64 && mac.allSatisfy { "0123456789abcdef".contains($0) }, "lower-case hex: \(mac)")
        #expect(
            WebhookSignature.verify(
                header: "t=1800000000,v1=\(mac.uppercased())", body: body, secret: secret, now: time))
    }

    @Test func aMacThatIsNot64HexDigitsDoesNotVerify() throws {
        let header = WebhookSignature.header(body: body, secret: secret, time: time)
        let mac = String(try #require(header.split(separator: ",").last).dropFirst(3))
        for bad in [
            String(mac.dropLast()), mac + "0", String(mac.dropLast()) + "g", "", String(repeating: "0", count: 64),
        ] {
            #expect(
                !WebhookSignature.verify(header: "t=1800000000,v1=\(bad)", body: body, secret: secret, now: time),
                "v1=\(bad)")
        }
    }
}
