import Clinic
import ClinicService
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Imaging

/// Client photos over HTTP: upload (raw image body, facts as query parameters), list, image, thumbnail,
/// before/after. Every read is recorded in the access log like a timeline read; after a forget, 410.
struct PhotoRoutes {
    let routes: APIRoutes
    let photos: PhotoService
    let access: APIAccessLog

    func register() {
        let photos = self.photos
        let access = self.access
        routes.add(
            .post, "/v1/clients/{id}/photos", .command,
            summary: "Upload a photo (raw image/jpeg, image/png, image/webp body; 25 MB at most)",
            query: ["stage", "angle", "consentScope", "appointment", "takenAt", "measuredDensity"],
            body: OpenAPIDocument.imageBody, success: 201
        ) { request, _, caller in
            var request = request
            let client = try Self.client(request)
            let mediaType = request.headers[.contentType] ?? ""
            guard ImageFormat(mediaType: mediaType).map(ImageFormat.accepted.contains) == true else {
                throw Self.problem(
                    .image(.unsupportedMediaType(declared: mediaType, accepted: ImageFormat.accepted)))
            }
            if let length = request.headers[.contentLength].flatMap(Int.init), length > photos.sizeLimit {
                throw Self.problem(.tooLarge(bytes: length, limit: photos.sizeLimit))
            }
            let facts = try Self.facts(request)
            let body: Data
            do {
                body = try await request.bodyData(limit: photos.sizeLimit)
            } catch var problem as Problem where problem.status == .contentTooLarge {
                problem.field = "body"
                throw problem
            }
            var extra: [String: String] = [:]
            if let id = caller.key?.id { extra["api_key_id"] = id.uuidString.lowercased() }
            let metadata = EventMetadata(
                actor: caller.actor, correlationID: CorrelationID.of(request.headers), extra: extra)
            let upload: PhotoUpload
            do {
                upload = try await photos.upload(
                    body, mediaType: mediaType, client: client, facts: facts, metadata: metadata)
            } catch let error as PhotoError {
                throw Self.problem(error)
            }
            var response = try JSONResponse.make(
                PhotoJSON(upload.photo, client: client), status: upload.created ? .created : .ok)
            response.headers[.location] = PhotoJSON.imagePath(client: client, hash: upload.photo.contentHash)
            return response
        }
        routes.add(.get, "/v1/clients/{id}/photos", .query, summary: "A client's photos") { request, _, caller in
            let client = try Self.client(request)
            let list: [StoredPhoto]
            do {
                list = try await photos.list(client: client)
            } catch let error as PhotoError {
                throw Self.problem(error)
            }
            try await access.record(caller, request, action: "photos.list", clients: [client.uuidString])
            return try JSONResponse.make(
                PhotoListJSON(
                    clientID: client.uuidString.lowercased(), photos: list.map { PhotoJSON($0, client: client) }))
        }
        routes.add(
            .get, "/v1/clients/{id}/photos/before-after", .query,
            summary: "Per angle, the earliest before and the latest healed or follow-up photo"
        ) { request, _, caller in
            let client = try Self.client(request)
            let pairs: [BeforeAfter]
            do {
                pairs = try await photos.beforeAfter(client: client)
            } catch let error as PhotoError {
                throw Self.problem(error)
            }
            try await access.record(caller, request, action: "photos.before-after", clients: [client.uuidString])
            return try JSONResponse.make(
                BeforeAfterListJSON(
                    clientID: client.uuidString.lowercased(),
                    angles: pairs.map { BeforeAfterJSON($0, client: client) }))
        }
        for thumbnail in [false, true] {
            let path = "/v1/clients/{id}/photos/{hash}" + (thumbnail ? "/thumbnail" : "")
            let summary = thumbnail ? "A photo's thumbnail (320 px long side)" : "A photo's stored image"
            routes.add(.get, path, .query, summary: summary) { request, context, caller in
                let client = try Self.client(request)
                let hash = (context.parameters.get("hash") ?? "").lowercased()
                if request.headers[.ifNoneMatch] == "\"\(hash)\"" {
                    // Still confirm the photo is readable (not forgotten) before a 304.
                    _ = try await Self.read(photos, client: client, hash: hash, thumbnail: thumbnail)
                    try await access.record(
                        caller, request, action: thumbnail ? "photo.thumbnail.read" : "photo.read",
                        clients: [client.uuidString])
                    return Response(status: .notModified, headers: Self.cacheHeaders(hash: hash))
                }
                let blob = try await Self.read(photos, client: client, hash: hash, thumbnail: thumbnail)
                try await access.record(
                    caller, request, action: thumbnail ? "photo.thumbnail.read" : "photo.read",
                    clients: [client.uuidString])
                var headers = Self.cacheHeaders(hash: hash)
                headers[.contentType] = blob.mediaType
                return Response(
                    status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: blob.bytes)))
            }
        }
    }

    private static func read(_ photos: PhotoService, client: ClientID, hash: String, thumbnail: Bool) async throws
        -> (bytes: Data, mediaType: String)
    {
        do {
            return thumbnail
                ? try await photos.thumbnail(client: client, contentHash: hash)
                : try await photos.image(client: client, contentHash: hash)
        } catch let error as PhotoError {
            throw problem(error)
        }
    }

    private static func cacheHeaders(hash: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.eTag] = "\"\(hash)\""
        // Health data: never in a shared cache.
        headers[.cacheControl] = "private, max-age=3600"
        return headers
    }

    private static func client(_ request: Request) throws -> ClientID {
        let parts = request.uri.path.split(separator: "/")
        guard parts.count >= 3, let id = UUID(uuidString: String(parts[2])) else {
            throw Problem.notFound("no client with that id (client ids are UUIDs)")
        }
        return id
    }

    /// The photo's facts from the query string, each checked with the allowed values named.
    static func facts(_ request: Request) throws -> PhotoFacts {
        try facts { request.query($0) }
    }

    /// The photo's facts from named values (the API's query string, the console's form fields), each checked
    /// with the allowed values named.
    static func facts(_ value: (String) -> String?) throws -> PhotoFacts {
        guard let stageText = value("stage") else {
            throw Problem.badRequest(
                "stage is required: before, immediately-after, healing-day-N, healed or follow-up", field: "stage")
        }
        guard let stage = PhotoStage(text: stageText) else {
            throw Problem.badRequest(
                "stage must be before, immediately-after, healing-day-N (N ≥ 1), healed or follow-up", field: "stage")
        }
        let angles = PhotoAngle.allCases.map(\.rawValue).joined(separator: ", ")
        guard let angleText = value("angle") else {
            throw Problem.badRequest("angle is required: one of \(angles)", field: "angle")
        }
        guard let angle = PhotoAngle(rawValue: angleText) else {
            throw Problem.badRequest("angle must be one of \(angles)", field: "angle")
        }
        var scope = ConsentScope.clinicalPhotos
        if let text = value("consentScope") {
            guard let parsed = ConsentScope(rawValue: text), parsed != .treatment else {
                throw Problem.badRequest(
                    "consentScope must be clinical-photos or marketing-photos", field: "consentScope")
            }
            scope = parsed
        }
        var appointment: AppointmentID?
        if let text = value("appointment") {
            guard let id = UUID(uuidString: text) else {
                throw Problem.badRequest("appointment must be an appointment id (a UUID)", field: "appointment")
            }
            appointment = id
        }
        var takenAt: Date?
        if let text = value("takenAt") {
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw Problem.badRequest(
                    "takenAt must be an ISO 8601 timestamp such as 2026-03-01T10:00:00Z", field: "takenAt")
            }
            takenAt = date
        }
        var density: Double?
        if let text = value("measuredDensity") {
            guard let value = Double(text), (0...1).contains(value) else {
                throw Problem.badRequest("measuredDensity must be a number from 0 to 1", field: "measuredDensity")
            }
            density = value
        }
        return PhotoFacts(
            stage: stage, angle: angle, consentScope: scope, appointmentID: appointment, takenAt: takenAt,
            measuredDensity: density)
    }

    /// The problem for a photo failure: 415 for what is not an image of the declared type, 413 over the limit,
    /// 422 for damaged images and bombs, 404, 410 after a forget.
    static func problem(_ error: PhotoError) -> Problem {
        switch error {
        case .image(let imaging):
            switch imaging {
            case .unsupportedMediaType, .notAnImage, .formatMismatch, .empty:
                return Problem(
                    .unsupportedMediaType, kind: "unsupported-media-type", title: "Not an accepted image",
                    detail: imaging.description, field: "body")
            case .tooManyPixels, .undecodable:
                return Problem(
                    .unprocessableContent, kind: "bad-image", title: "The image cannot be accepted",
                    detail: imaging.description, field: "body")
            case .library:
                return .internal
            }
        case .tooLarge(let bytes, let limit):
            return Problem(
                .contentTooLarge, kind: "too-large", title: "The request body is too large",
                detail: "the image is \(bytes) bytes, over the limit of \(limit) bytes", field: "body")
        case .unknownClient(let id):
            return .notFound("client \(id.uuidString.lowercased()) is not registered")
        case .notFound(_, let hash):
            return .notFound("the client has no photo \(hash) (photos are named by the SHA-256 of the stored image)")
        case .forgotten(let id):
            return Problem(
                .gone, kind: "forgotten", title: "The client was forgotten",
                detail: "client \(id.uuidString.lowercased()) was forgotten: their photos are shredded")
        case .rejected(let rejection):
            var problem = Problem.rejected(rejection.message)
            if case .invalidValue(let field, _) = rejection { problem.field = field }
            if case .consentMissing = rejection { problem.field = "consentScope" }
            return problem
        case .unreadableHistory:
            return .internal
        }
    }
}
