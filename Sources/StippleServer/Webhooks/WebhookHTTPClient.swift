import AsyncHTTPClient
import ClinicService
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Webhook deliveries over `swift-server/async-http-client`: one `POST` per attempt to an
/// `https://` receiver (certificates verified, against the system's roots or an operator's CA file),
/// or `http://` when the operator allows it, never to an internal address unless allowed
/// (`WebhookDestinations`). The host is resolved and checked for each attempt and the connection
/// is made to the address that was checked; redirects are not followed.
struct WebhookHTTPClient: Sendable {
    var connectTimeout: Duration
    var requestTimeout: Duration
    var destinations = WebhookDestinations()

    struct Reply: Sendable {
        var status: Int
        /// The start of the body, for the delivery status.
        var body: String
    }

    enum Failure: Error, CustomStringConvertible {
        case timeout(Duration)
        case invalidURL

        var description: String {
            switch self {
            case .timeout(let duration): "no answer within \(duration)"
            case .invalidURL: "the URL has no host"
            }
        }
    }

    /// POSTs `body` to `url` and returns the answer; throws on refusals, timeouts and network errors.
    func post(url: URL, headers: [(String, String)], body: Data) async throws -> Reply {
        guard let host = url.host, !host.isEmpty else { throw Failure.invalidURL }
        let address = try await destinations.checkedAddress(for: url)
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = destinations.trustedCAFile { tls.trustRoots = .file(file) }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: Self.amount(connectTimeout), read: Self.amount(requestTimeout)))
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        configuration.dnsOverride = [bare: address]
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let reply = try await send(client, url: url, headers: headers, body: body)
            try? await client.shutdown()
            return reply
        } catch {
            try? await client.shutdown()
            if let failure = error as? HTTPClientError, failure == .deadlineExceeded || failure == .readTimeout {
                throw Failure.timeout(requestTimeout)
            }
            throw error
        }
    }

    private func send(_ client: HTTPClient, url: URL, headers: [(String, String)], body: Data) async throws -> Reply {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Connection", value: "close")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: Self.amount(requestTimeout))
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if text.utf8.count >= 300 { break }
        }
        return Reply(status: Int(response.status.code), body: String(text.prefix(300)))
    }

    private static func amount(_ duration: Duration) -> TimeAmount {
        .milliseconds(Int64(duration.inSeconds * 1000))
    }
}
