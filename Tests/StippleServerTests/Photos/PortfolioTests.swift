import Clinic
import ClinicService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Imaging
import NIOCore
import TestSupport
import Testing

@testable import StippleServer

@Suite("The portfolio: approved photos with a valid marketing consent, taken down at once on withdrawal")
struct PortfolioTests {
    static func post(
        _ client: any TestClientProtocol, _ fixture: ServerFixture, _ path: String, _ body: ByteBuffer
    ) async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: fixture.headers(.operator), body: body)
    }

    @Test("an approved photo is listed; one taken before the marketing consent never is; withdrawal takes it down")
    func approvalAndWithdrawal() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let id = try await PhotoRoutesTests.clientWithConsent(fixture, client)
                let base = "/v1/clients/\(id.uuidString)"
                // A photo taken under the clinical consent, before any marketing consent.
                let early = try await PhotoRoutesTests.upload(
                    client, fixture, id, try SyntheticScalp(width: 120, height: 90, seed: 1).render())
                try #require(early.status == .created, "\(early.text)")
                let earlyID = try #require(early.json["photoID"] as? String)

                // Command times are kept to the second: let the marketing consent be clearly later.
                try await Task.sleep(for: .milliseconds(1100))
                let marketing = UUID()
                let signed = try await Self.post(
                    client, fixture, "\(base)/consents",
                    Payloads.body(
                        ConsentSigned(at: Date(), consentID: marketing, formVersion: "m1", scopes: [.marketingPhotos]),
                        dropAt: true))
                try #require(signed.status == .created, "\(signed.text)")
                let later = try await PhotoRoutesTests.upload(
                    client, fixture, id, try SyntheticScalp(width: 120, height: 90, seed: 2).render(),
                    query: "stage=healed&angle=top&consentScope=marketing-photos")
                try #require(later.status == .created, "\(later.text)")
                let laterID = try #require(later.json["photoID"] as? String)
                let laterHash = try #require(later.json["contentHash"] as? String)

                func approve(_ photo: String) async throws -> TestResponse {
                    try await Self.post(
                        client, fixture, "\(base)/marketing-approvals",
                        jsonBody([
                            "photoID": photo, "consentID": marketing.uuidString.lowercased(), "purpose": "website",
                        ]))
                }
                #expect(try await approve(laterID).status == .created)
                let refused = try await approve(earlyID)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                let testimonial = try await Self.post(
                    client, fixture, "\(base)/testimonials",
                    Payloads.body(
                        TestimonialRecorded(
                            at: Date(), text: "Looks natural", rating: 5, marketingConsentID: marketing),
                        dropAt: true))
                #expect(testimonial.status == .created, "\(testimonial.text)")

                try await fixture.catchUpProjections()
                var portfolio = try await client.execute(
                    uri: "/v1/portfolio", method: .get, headers: fixture.headers(.operator))
                #expect(portfolio.status == .ok, "\(portfolio.text)")
                var artists = try #require(portfolio.json["artists"] as? [[String: Any]])
                let photos = artists.flatMap { ($0["photos"] as? [[String: Any]]) ?? [] }
                #expect(photos.map { $0["photoID"] as? String } == [laterID])
                #expect(
                    photos.first?["thumbnail"] as? String
                        == "/v1/clients/\(id.uuidString.lowercased())/photos/\(laterHash)/thumbnail")
                let testimonials = artists.flatMap { ($0["testimonials"] as? [[String: Any]]) ?? [] }
                #expect(testimonials.first?["text"] as? String == "Looks natural")
                // The console's Portfolio page shows the same photo (through the session) and testimonial.
                var browser = ConsoleBrowser(client: client)
                _ = try await browser.signIn(try #require(fixture.keys[.operator]))
                let consoleThumbnail = "/console/clients/\(id.uuidString.lowercased())/photos/\(laterHash)/thumbnail"
                var page = try await browser.get("/console/portfolio")
                #expect(page.status == .ok)
                #expect(page.text.contains(consoleThumbnail) && page.text.contains("Looks natural"))
                let thumbnail = try await browser.get(consoleThumbnail)
                #expect(thumbnail.status == .ok && thumbnail.headers[.contentType]?.hasPrefix("image/") == true)

                let withdrawn = try await Self.post(
                    client, fixture, "\(base)/consent-withdrawals",
                    Payloads.body(
                        ConsentWithdrawn(at: Date(), formVersion: "m1", scopes: [.marketingPhotos]), dropAt: true))
                #expect(withdrawn.status == .created, "\(withdrawn.text)")
                // The approval is revoked in the withdrawal's own append.
                let written = try #require(withdrawn.json["events"] as? [[String: Any]])
                #expect(
                    written.compactMap { $0["type"] as? String }.filter { $0.hasPrefix("client.") } == [
                        "client.consent-withdrawn", "client.marketing-approval-revoked",
                    ])
                try await fixture.catchUpProjections()
                portfolio = try await client.execute(
                    uri: "/v1/portfolio", method: .get, headers: fixture.headers(.operator))
                artists = try #require(portfolio.json["artists"] as? [[String: Any]])
                #expect(artists.isEmpty, "\(portfolio.text)")
                page = try await browser.get("/console/portfolio")
                #expect(page.status == .ok && !page.text.contains(laterHash) && !page.text.contains("Looks natural"))
                let takeDowns = try await client.execute(
                    uri: "/v1/portfolio/take-downs", method: .get, headers: fixture.headers(.operator))
                let down = try #require(takeDowns.json["photos"] as? [[String: Any]])
                #expect(down.map { $0["photoID"] as? String } == [laterID])
                #expect(down.first?["removedReason"] as? String == "marketing consent withdrawn")
                let downTestimonials = try #require(takeDowns.json["testimonials"] as? [[String: Any]])
                #expect(downTestimonials.count == 1)
                #expect(downTestimonials.first?["text"] == nil || downTestimonials.first?["text"] is NSNull)
            }
        }
    }
}
