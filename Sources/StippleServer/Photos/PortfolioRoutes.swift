import Foundation
import Hummingbird
import Projections

/// The artists' portfolios (the `portfolio` projection): photos approved for marketing with a marketing consent
/// still valid, and testimonials, by technician; and the take-down list after withdrawals. Each client named is
/// recorded in the access log (`portfolio.read`).
struct PortfolioRoutes {
    let routes: APIRoutes
    let queries: PortfolioQueries
    let access: APIAccessLog

    func register() {
        let queries = self.queries
        let access = self.access
        routes.add(
            .get, "/v1/portfolio", .query, summary: "Marketing-approved photos and testimonials, by technician",
            query: ["technician"]
        ) { request, _, caller in
            let technician = request.query("technician")
            let photos = try await queries.photos(technician: technician)
            let testimonials = try await queries.testimonials(technician: technician)
            try await access.record(
                caller, request, action: "portfolio.read",
                clients: photos.map(\.clientID.uuidString) + testimonials.map(\.clientID.uuidString))
            var byTechnician: [String: PortfolioJSON.Artist] = [:]
            for photo in photos {
                let name = photo.technician ?? "unattributed"
                byTechnician[name, default: .init(technician: name)].photos.append(.init(photo))
            }
            for testimonial in testimonials {
                let name = testimonial.technician ?? "unattributed"
                byTechnician[name, default: .init(technician: name)].testimonials.append(.init(testimonial))
            }
            return try JSONResponse.make(
                PortfolioJSON(artists: byTechnician.values.sorted { $0.technician < $1.technician }))
        }
        routes.add(
            .get, "/v1/portfolio/take-downs", .query,
            summary: "Portfolio photos and testimonials to take down (consent withdrawn, client forgotten)"
        ) { request, _, caller in
            let photos = try await queries.takeDowns()
            let testimonials = try await queries.testimonials(listed: false)
            try await access.record(
                caller, request, action: "portfolio.read",
                clients: photos.map(\.clientID.uuidString) + testimonials.map(\.clientID.uuidString))
            return try JSONResponse.make(
                TakeDownsJSON(photos: photos.map { .init($0) }, testimonials: testimonials.map { .init($0) }))
        }
    }
}

struct PortfolioJSON: Encodable, Sendable {
    struct Artist: Encodable, Sendable {
        var technician: String
        var photos: [Photo] = []
        var testimonials: [Testimonial] = []
    }

    struct Photo: Encodable, Sendable {
        var photoID: String
        var clientID: String
        var technician: String?
        var contentHash: String
        var stage: String
        var angle: String
        var takenAt: Date
        var approvedAt: Date
        var purpose: String
        var removedAt: Date?
        var removedReason: String?
        var image: String
        var thumbnail: String

        init(_ photo: PortfolioPhoto) {
            photoID = photo.photoID.uuidString.lowercased()
            clientID = photo.clientID.uuidString.lowercased()
            technician = photo.technician
            contentHash = photo.contentHash
            stage = photo.stage
            angle = photo.angle
            takenAt = photo.takenAt
            approvedAt = photo.approvedAt
            purpose = photo.purpose
            removedAt = photo.removedAt
            removedReason = photo.removedReason
            image = "/v1/clients/\(clientID)/photos/\(photo.contentHash)"
            thumbnail = image + "/thumbnail"
        }
    }

    struct Testimonial: Encodable, Sendable {
        var clientID: String
        var technician: String?
        var at: Date
        var rating: Int
        var text: String?
        var removedAt: Date?
        var removedReason: String?

        init(_ testimonial: PortfolioTestimonial) {
            clientID = testimonial.clientID.uuidString.lowercased()
            technician = testimonial.technician
            at = testimonial.at
            rating = testimonial.rating
            text = testimonial.text
            removedAt = testimonial.removedAt
            removedReason = testimonial.removedReason
        }
    }

    var artists: [Artist]
}

struct TakeDownsJSON: Encodable, Sendable {
    var photos: [PortfolioJSON.Photo]
    var testimonials: [PortfolioJSON.Testimonial]
}
