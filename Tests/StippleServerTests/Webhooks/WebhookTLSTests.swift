import Foundation
import Testing

@testable import StippleServer

/// Webhook deliveries to an `https://` receiver whose certificate is signed by a CA the test makes.
@Suite("Webhooks over https")
struct WebhookTLSTests {
    @Test(
        "an https receiver is reached when its CA is trusted through the CA file, refused otherwise; never unverified",
        .timeLimit(.minutes(8)))
    func httpsReceiver() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A CA, a certificate for 127.0.0.1 signed by it, and a Python https receiver using it.
        let output = try await PrivateCluster.shell(
            """
            set -e
            cd '\(directory.path)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj '/CN=Stipple Test CA' 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 \
                -extfile ext.cnf 2>/dev/null
            cat > server.py <<'PY'
            import http.server, ssl
            class Receiver(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    with open('received', 'ab') as f:
                        f.write(self.headers.get('Stipple-Signature', '').encode() + b' ' + body + b'\\n')
                    self.send_response(200)
                    self.send_header('Content-Length', '2')
                    self.end_headers()
                    self.wfile.write(b'ok')
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(('127.0.0.1', 0), Receiver)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain('server.pem', 'server.key')
            server.socket = context.wrap_socket(server.socket, server_side=True)
            with open('port.tmp', 'w') as f:
                f.write(str(server.server_address[1]))
            import os
            os.rename('port.tmp', 'port')
            server.serve_forever()
            PY
            nohup python3 server.py >/dev/null 2>&1 &
            echo $! > pid
            for i in $(seq 1 200); do [ -s port ] && break; sleep 0.05; done
            cat port
            """)
        defer { _ = try? PrivateCluster.blockingShell("kill $(cat '\(directory.path)/pid')", environment: [:]) }
        let port = try #require(Int(output.split(separator: "\n").last ?? ""))
        let url = try #require(URL(string: "https://127.0.0.1:\(port)/hooks/stipple"))
        let body = Data(#"{"events":[]}"#.utf8)
        let headers = [
            ("Content-Type", "application/json"),
            ("Stipple-Signature", WebhookSignature.header(body: body, secret: "whsec_test")),
        ]
        func client(_ destinations: WebhookDestinations) -> WebhookHTTPClient {
            WebhookHTTPClient(connectTimeout: .seconds(5), requestTimeout: .seconds(10), destinations: destinations)
        }
        let caFile = directory.appendingPathComponent("ca.pem").path
        // Trusted through the operator's CA file: delivered and acknowledged.
        let trusting = client(WebhookDestinations(allowPrivateAddresses: true, trustedCAFile: caFile))
        let reply = try await trusting.post(url: url, headers: headers, body: body)
        #expect(reply.status == 200)
        #expect(reply.body == "ok")
        // Without it the certificate does not verify, and nothing is sent.
        let untrusting = client(WebhookDestinations(allowPrivateAddresses: true))
        await #expect(throws: (any Error).self) { try await untrusting.post(url: url, headers: headers, body: body) }
        // Without the private-address allowance, 127.0.0.1 is not a destination at all.
        let strict = client(WebhookDestinations(trustedCAFile: caFile))
        await #expect(throws: WebhookDestinations.Refusal.self) {
            try await strict.post(url: url, headers: headers, body: body)
        }
        let received = try String(contentsOf: directory.appendingPathComponent("received"), encoding: .utf8)
        let lines = received.split(separator: "\n")
        #expect(lines.count == 1)
        let signature = String(lines.first?.split(separator: " ").first ?? "")
        #expect(WebhookSignature.verify(header: signature, body: body, secret: "whsec_test"))
    }
}
