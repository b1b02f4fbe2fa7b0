import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where webhook deliveries may go: `https://` receivers on public addresses, unless the operator
/// allows more when starting `stipple serve` (`--webhook-allow-http`, `--webhook-allow-private`).
///
/// A receiver's host is resolved and every address it resolves to is checked (loopback, private
/// ranges, link-local and cloud metadata such as 169.254.169.254, carrier-grade NAT, multicast,
/// reserved); at registration, and again at each delivery, where the request is then sent to the
/// address that was checked (DNS cannot change between the check and the connection).
public struct WebhookDestinations: Sendable, Hashable {
    /// Take `http://` receivers as well as `https://`.
    public var allowHTTP: Bool
    /// Take receivers on loopback, private and link-local addresses (tests, an internal network).
    public var allowPrivateAddresses: Bool
    /// A PEM file of the certificate authorities to trust for `https://` receivers (default: the system's).
    public var trustedCAFile: String?

    public init(allowHTTP: Bool = false, allowPrivateAddresses: Bool = false, trustedCAFile: String? = nil) {
        self.allowHTTP = allowHTTP
        self.allowPrivateAddresses = allowPrivateAddresses
        self.trustedCAFile = trustedCAFile
    }

    /// Why a destination is refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The checked address to send to for `url` (an IP address as text); throws a `Refusal`.
    public func checkedAddress(for url: URL) async throws -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        guard scheme == "https" || (scheme == "http" && allowHTTP) else {
            throw Refusal(
                description: allowHTTP
                    ? "url must use https:// or http://"
                    : "url must use https:// (http:// only when the server is started with --webhook-allow-http)")
        }
        guard let host = url.host, !host.isEmpty else { throw Refusal(description: "url needs a host") }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = try await Self.resolve(bare)
        guard let first = addresses.first else { throw Refusal(description: "the host \(bare) does not resolve") }
        if !allowPrivateAddresses, let bad = addresses.first(where: { Self.isInternal($0) }) {
            throw Refusal(
                description: "the host \(bare) resolves to \(bad), an internal address (loopback, private, "
                    + "link-local or reserved); webhooks are delivered to public addresses only")
        }
        return first
    }

    /// The IP addresses `host` resolves to (a literal address resolves to itself).
    static func resolve(_ host: String) async throws -> [String] {
        // A serial queue of its own gets a thread when it needs one; `DispatchQueue.global()` is a pool as wide as
        // the cores that grows slowly while its threads block in `getaddrinfo` (as `PostgresConnection.connect`).
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "stipple.webhooks.resolve").async {
                continuation.resume(with: Result { try blockingResolve(host) })
            }
        }
    }

    private static func blockingResolve(_ host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            throw Refusal(description: "the host \(host.prefix(255)) does not resolve")
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let entry = cursor {
            if let text = Self.text(entry.pointee), !addresses.contains(text) { addresses.append(text) }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    private static func text(_ info: addrinfo) -> String? {
        guard let address = info.ai_addr else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch info.ai_family {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var raw = pointer.pointee.sin_addr
                guard inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var raw = pointer.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        default:
            return nil
        }
    }

    /// True for an address a webhook must not reach without the operator's allowance.
    public static func isInternal(_ text: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return isInternal(v4: withUnsafeBytes(of: v4.s_addr) { Array($0) })
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return true }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d): the IPv4 inside.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && (bytes[10..<12] == [0xFF, 0xFF] || bytes[10..<12] == [0, 0]) {
            return isInternal(v4: Array(bytes[12..<16]))
        }
        if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {
            return isInternal(v4: Array(bytes[12..<16]))
        }
        if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local (incl. fd00:ec2::254)
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return true }  // fec0::/10 site-local
        if bytes[0] == 0xFF { return true }  // multicast
        if bytes[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return true }  // documentation
        return false
    }

    private static func isInternal(v4 b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): true  // this network, private, loopback
        case (100, 64...127): true  // carrier-grade NAT
        case (169, 254): true  // link-local, cloud metadata (169.254.169.254)
        case (172, 16...31): true  // private
        case (192, 168): true  // private
        case (192, 0) where b[2] == 0 || b[2] == 2: true  // IETF protocol assignments, documentation
        case (198, 18...19): true  // benchmarking
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: true  // documentation
        case (224...255, _): true  // multicast, reserved, broadcast
        default: false
        }
    }
}
