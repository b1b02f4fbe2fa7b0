import Clinic
import ClinicService
import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import NIOCore
import Projections

/// Before and after on the client page: per angle, the earliest `before` and the latest healed or follow-up
/// photo side by side, as thumbnails that open the full image. The bytes come through the console's session
/// (never the API key), every read is written to the access log as the API's photo routes write it, and a
/// forgotten client's photos answer 410.
extension ConsoleRoutes {
    func registerPhotos(_ router: ConsoleRouter) {
        let routes = self
        // A browser showing a full image on its own asks for the site's icon: there is none, and saying so
        // with a 204 keeps the console free of failed-resource errors.
        router.get("/favicon.ico") { _, _ in
            Response(status: .noContent, headers: [.cacheControl: "public, max-age=86400"])
        }
        page(router, "/console/portfolio") { _, _, session in try await routes.portfolio(session) }
        page(router, "/console/clients/{id}/photos/{hash}") { _, context, session in
            try await routes.photo(context, session, thumbnail: false)
        }
        page(router, "/console/clients/{id}/photos/{hash}/thumbnail") { _, context, session in
            try await routes.photo(context, session, thumbnail: true)
        }
        router.post("/console/clients/{id}/photos") { request, context -> Response in
            guard let session = try await routes.session(request) else { return Self.redirect("/console/sign-in") }
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
                return routes.message(session, title: "No such client", status: .notFound, "Client ids are UUIDs.")
            }
            return try await routes.uploadPhoto(request, id, session)
        }
    }

    /// The upload form's `multipart/form-data` body around an image at the size limit: the other fields and the
    /// parts' headers.
    static let uploadFormSlack = 64 * 1024

    /// `POST /console/clients/{id}/photos`: the front desk's photo upload, through the same `PhotoService.upload`
    /// and with the same rules and messages as the API's upload route (`PhotoRoutes`); a refusal is shown next to
    /// the field it is about (the image for a wrong type, a damaged image or one over the limit; the consent
    /// field when the client has no consent for that use; a repeated or oversized form field next to itself), and
    /// nothing is stored.
    func uploadPhoto(_ request: Request, _ client: UUID, _ session: ConsoleSession) async throws -> Response {
        if let refusal = roleRefusal(session) { return refusal }
        var form = ConsoleForm.photoUpload(sizeLimit: photos.sizeLimit)
        func refused(_ problem: Problem) async throws -> Response {
            form.attach(problem.detail, to: problem.field, aliases: ["body": "photo"])
            return try await self.client(client, session, photo: form, status: problem.status)
        }
        let limit = photos.sizeLimit + Self.uploadFormSlack
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return try await refused(PhotoRoutes.problem(.tooLarge(bytes: length, limit: photos.sizeLimit)))
        }
        guard let boundary = MultipartForm.boundary(contentType: request.headers[.contentType]) else {
            return try await refused(
                Problem(
                    .unsupportedMediaType, kind: "unsupported-media-type", title: "Not a file upload",
                    detail: "the upload form is sent as multipart/form-data", field: "photo"))
        }
        var request = request
        let parsed: MultipartForm
        do {
            parsed = try MultipartForm.parse(
                try await request.bodyData(limit: limit), boundary: boundary, fileLimit: photos.sizeLimit)
        } catch let problem as Problem where problem.status == .contentTooLarge && problem.field == nil {
            // The whole body over the limit (sent without a length); a part over its own limit names itself.
            return try await refused(
                Problem(
                    .contentTooLarge, kind: "too-large", title: "The request body is too large",
                    detail: "the image is over the limit of \(photos.sizeLimit) bytes", field: "body"))
        } catch let problem as Problem {
            return try await refused(problem)
        }
        let fields = parsed.fields
        if let refusal = refusal(session, fields, command: true) { return refusal }
        form = form.filled(fields)
        let facts: PhotoFacts
        do {
            facts = try PhotoRoutes.facts { name in fields[name].flatMap { $0.isEmpty ? nil : $0 } }
        } catch let problem as Problem {
            return try await refused(problem)
        }
        guard let file = parsed.file("photo"), !(file.filename ?? "").isEmpty || !file.data.isEmpty else {
            form.attach(
                "choose an image file to upload (\(ImageFormat.accepted.map(\.mediaType).joined(separator: ", ")))",
                to: "photo")
            return try await self.client(client, session, photo: form, status: .badRequest)
        }
        let upload: PhotoUpload
        do {
            upload = try await photos.upload(
                file.data, mediaType: file.contentType ?? "application/octet-stream", client: client, facts: facts,
                metadata: metadata(session))
        } catch let error as PhotoError {
            if case .unknownClient = error {
                return message(
                    session, title: "No such client", status: .notFound,
                    "No client \(client.uuidString.lowercased()) is known (yet).")
            }
            return try await refused(PhotoRoutes.problem(error))
        }
        await waitForProjections(upTo: try await store.headPosition(), names: ["timeline"])
        return Self.redirect(
            "/console/clients/\(client.uuidString.lowercased())?uploaded=\(upload.photo.contentHash)#uploaded")
    }

    /// One photo's bytes (`ETag` = content hash, never in a shared cache).
    func photo(_ context: BasicRequestContext, _ session: ConsoleSession, thumbnail: Bool) async throws -> Response {
        guard let text = context.parameters.get("id"), let client = UUID(uuidString: text),
            let hash = context.parameters.get("hash")
        else {
            return message(session, title: "No such photo", status: .notFound, "Client ids are UUIDs.")
        }
        let blob: (bytes: Data, mediaType: String)
        do {
            blob =
                thumbnail
                ? try await photos.thumbnail(client: client, contentHash: hash)
                : try await photos.image(client: client, contentHash: hash)
        } catch PhotoError.forgotten {
            return message(
                session, title: "(erased)", status: .gone,
                "This client's personal data, photos included, was erased at their request.")
        } catch let error as PhotoError {
            return message(session, title: "No such photo", status: .notFound, error.description)
        }
        try await recordAccess(
            session, action: thumbnail ? "photo.thumbnail.read" : "photo.read", clients: [client.uuidString])
        var headers = HTTPFields()
        headers[.contentType] = blob.mediaType
        headers[.eTag] = "\"\(hash.lowercased())\""
        headers[.cacheControl] = "private, max-age=3600"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: blob.bytes)))
    }

    /// The photo just uploaded, shown at the top of the photos section (nil when `hash` names no stored photo).
    func uploadedContext(_ client: UUID, _ photos: [StoredPhoto], hash: String?) -> [String: Any]? {
        guard let hash, let photo = photos.first(where: { $0.contentHash == hash && $0.stored }) else { return nil }
        let base = "/console/clients/\(client.uuidString.lowercased())/photos/\(photo.contentHash)"
        let what = "\(photo.stage.description.replacingOccurrences(of: "-", with: " ")), \(photo.angle.rawValue) view"
        return [
            "image": base, "thumbnail": base + "/thumbnail",
            "caption":
                "Stored: \(what), \(photo.width.map { "\($0)" } ?? "?") × \(photo.height.map { "\($0)" } ?? "?") px",
            "alt": "Uploaded photo: \(what)",
        ]
    }

    /// The client page's before/after pairs (only sides whose image is stored here).
    func beforeAfterContext(_ client: UUID, _ pairs: [BeforeAfter], zone: String?) -> [[String: Any]] {
        let id = client.uuidString.lowercased()
        func side(_ photo: StoredPhoto?, _ label: String) -> [String: Any]? {
            guard let photo, photo.stored else { return nil }
            let base = "/console/clients/\(id)/photos/\(photo.contentHash)"
            return [
                "label": label, "taken": ConsoleFormat.day(photo.takenAt, zone: zone),
                "stage": photo.stage.description, "image": base, "thumbnail": base + "/thumbnail",
                "alt": "\(label): \(photo.angle.rawValue) view, \(ConsoleFormat.day(photo.takenAt, zone: zone))",
            ]
        }
        return pairs.compactMap { pair in
            let sides = [side(pair.before, "Before"), side(pair.after, "After")].compactMap { $0 }
            guard !sides.isEmpty else { return nil }
            return [
                "angle": pair.angle.rawValue, "sides": sides,
                "between": pair.sessionsBetween == 1 ? "1 session between" : "\(pair.sessionsBetween) sessions between",
            ]
        }
    }

    /// The artists' portfolio: marketing-approved photos whose consent still holds, and testimonials, by
    /// technician (how clients choose an artist); what was taken down is the API's `/v1/portfolio/take-downs`.
    func portfolio(_ session: ConsoleSession) async throws -> Response {
        let queries = PortfolioQueries(pool: store.pool)
        let photos = try await queries.photos()
        let testimonials = try await queries.testimonials()
        try await recordAccess(
            session, action: "portfolio.read",
            clients: photos.map(\.clientID.uuidString) + testimonials.map(\.clientID.uuidString))
        var artists: [String: (photos: [[String: Any]], testimonials: [[String: Any]])] = [:]
        for photo in photos {
            let client = photo.clientID.uuidString.lowercased()
            let base = "/console/clients/\(client)/photos/\(photo.contentHash)"
            artists[photo.technician ?? "unattributed", default: ([], [])].photos.append([
                "image": base, "thumbnail": base + "/thumbnail", "taken": ConsoleFormat.day(photo.takenAt),
                "caption": "\(photo.stage), \(photo.angle) view · approved \(ConsoleFormat.day(photo.approvedAt))",
                "alt": "\(photo.stage) photo, \(photo.angle) view, \(ConsoleFormat.day(photo.takenAt))",
            ])
        }
        for testimonial in testimonials {
            artists[testimonial.technician ?? "unattributed", default: ([], [])].testimonials.append([
                "at": ConsoleFormat.day(testimonial.at), "rating": "\(testimonial.rating)/5",
                "text": testimonial.text ?? "",
            ])
        }
        var context = base(session, title: "Portfolio")
        context["artists"] = artists.keys.sorted().map { name -> [String: Any] in
            [
                "technician": name, "photos": artists[name]?.photos ?? [],
                "testimonials": artists[name]?.testimonials ?? [],
            ]
        }
        return html(templates.render("portfolio", context))
    }
}
