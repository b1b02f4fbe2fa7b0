import ArgumentParser
import Clinic
import EventStore
import Foundation
import Imaging
import Postgres
import ClinicService

/// `stipple photos add|list|get`: a client's photos from the command line, through the same `PhotoService` as the API.
struct Photos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload, list and fetch a client's photos (stored stripped and sealed with the client's key).",
        subcommands: [Add.self, List.self, Get.self, Synth.self])

    /// Runs `body` with a small pool, closed afterwards whatever happens.
    static func withPool<T>(_ database: DatabaseOptions, _ body: (ConnectionPool) async throws -> T) async throws -> T {
        let pool = try database.pool(maximumConnections: 2)
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload an image file as a photo of a client.",
            discussion: """
                The image is checked to be what its extension says (JPEG, PNG or WebP), turned upright by its \
                orientation tag, stripped of every metadata block (EXIF with GPS and camera serials, XMP, IPTC, \
                comments), stored sealed with the client's key with a 320 px thumbnail, and logged as \
                client.photo-logged with the SHA-256 of the stored bytes. The same image twice is one photo.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The client's id (a UUID).") var client: String
        @Argument(help: "The image file (.jpg, .jpeg, .png, .webp).") var file: String
        @Option(help: "before, immediately-after, healing-day-N, healed or follow-up.") var stage: String
        @Option(help: "front, top, crown, left, right, back or hairline-close-up.") var angle: String
        @Option(help: "clinical-photos or marketing-photos.") var consentScope = "clinical-photos"
        @Option(help: "The appointment (session) id it belongs to.") var appointment: String?
        @Option(help: "Media type, when the extension does not tell it (image/jpeg, image/png, image/webp).")
        var mediaType: String?

        func validate() throws {
            guard UUID(uuidString: client) != nil else { throw ValidationError("CLIENT must be a client id (a UUID)") }
            guard PhotoStage(text: stage) != nil else {
                throw ValidationError("--stage must be before, immediately-after, healing-day-N, healed or follow-up")
            }
            guard PhotoAngle(rawValue: angle) != nil else {
                throw ValidationError(
                    "--angle must be one of \(PhotoAngle.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let scope = ConsentScope(rawValue: consentScope), scope != .treatment else {
                throw ValidationError("--consent-scope must be clinical-photos or marketing-photos")
            }
            if let appointment, UUID(uuidString: appointment) == nil {
                throw ValidationError("--appointment must be an appointment id (a UUID)")
            }
        }

        func run() async throws {
            try await reportingErrors {
                guard let id = UUID(uuidString: client), let stage = PhotoStage(text: stage),
                    let angle = PhotoAngle(rawValue: angle), let scope = ConsentScope(rawValue: consentScope)
                else { throw UserError("invalid arguments") }
                let url = URL(fileURLWithPath: file)
                let type = mediaType ?? Self.mediaType(extension: url.pathExtension)
                guard let type else {
                    throw UserError("cannot tell the image type of \(file) from its extension: give --media-type")
                }
                let data: Data
                do {
                    data = try Data(contentsOf: url)
                } catch {
                    throw UserError("cannot read \(file): \(error.localizedDescription)")
                }
                let facts = PhotoFacts(
                    stage: stage, angle: angle, consentScope: scope,
                    appointmentID: appointment.flatMap { UUID(uuidString: $0) })
                let upload = try await Photos.withPool(database) { pool in
                    do {
                        return try await PhotoService(store: database.store(pool)).upload(
                            data, mediaType: type, client: id, facts: facts,
                            metadata: EventMetadata(actor: AccessOptions.actor))
                    } catch let error as PhotoError {
                        throw UserError("not stored: \(error)")
                    }
                }
                let photo = upload.photo
                print(
                    upload.created ? "stored photo \(photo.contentHash)" : "already stored as \(photo.contentHash)",
                    "(\(photo.mediaType), \(photo.sizeBytes) bytes, \(photo.width ?? 0)x\(photo.height ?? 0))")
            }
        }

        static func mediaType(extension ext: String) -> String? {
            switch ext.lowercased() {
            case "jpg", "jpeg": "image/jpeg"
            case "png": "image/png"
            case "webp": "image/webp"
            case "heic", "heif": "image/heic"
            default: nil
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a client's photos.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The client's id (a UUID).") var client: String
        @Option(help: "Output format: table, csv or json.") var format: OutputFormat = .table
        @OptionGroup var access: AccessOptions

        func validate() throws {
            guard UUID(uuidString: client) != nil else { throw ValidationError("CLIENT must be a client id (a UUID)") }
        }

        func run() async throws {
            try await reportingErrors {
                guard let id = UUID(uuidString: client) else { throw UserError("invalid client id") }
                let photos = try await Photos.withPool(database) { pool in
                    do {
                        let photos = try await PhotoService(store: database.store(pool)).list(client: id)
                        try await access.record(
                            "photos.list", subject: ClinicPrivacy.accessSubject(client: id.uuidString.lowercased()),
                            pool: pool)
                        return photos
                    } catch let error as PhotoError {
                        throw UserError("\(error)")
                    }
                }
                let rows = photos.map { photo in
                    [
                        DateArgument.iso(photo.takenAt), photo.stage.description, photo.angle.rawValue,
                        photo.consentScope.rawValue, photo.contentHash, photo.mediaType,
                        photo.width.map { "\($0)x\(photo.height ?? 0)" } ?? "", photo.stored ? "yes" : "no",
                    ]
                }
                print(
                    TableOutput.render(
                        headers: ["taken", "stage", "angle", "consent", "hash", "type", "size", "stored"], rows: rows,
                        format: format), terminator: "")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a stored photo (or its thumbnail) to a file.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The client's id (a UUID).") var client: String
        @Argument(help: "The photo's content hash (SHA-256, hex).") var hash: String
        @Option(name: .shortAndLong, help: "Where to write the image.") var output: String
        @Flag(help: "Write the thumbnail instead of the image.") var thumbnail = false
        @OptionGroup var access: AccessOptions

        func validate() throws {
            guard UUID(uuidString: client) != nil else { throw ValidationError("CLIENT must be a client id (a UUID)") }
        }

        func run() async throws {
            try await reportingErrors {
                guard let id = UUID(uuidString: client) else { throw UserError("invalid client id") }
                let blob = try await Photos.withPool(database) { pool in
                    let service = PhotoService(store: database.store(pool))
                    do {
                        let blob =
                            thumbnail
                            ? try await service.thumbnail(client: id, contentHash: hash)
                            : try await service.image(client: id, contentHash: hash)
                        try await access.record(
                            thumbnail ? "photo.thumbnail.read" : "photo.read",
                            subject: ClinicPrivacy.accessSubject(client: id.uuidString.lowercased()), pool: pool)
                        return blob
                    } catch let error as PhotoError {
                        throw UserError("\(error)")
                    }
                }
                try blob.bytes.write(to: URL(fileURLWithPath: output))
                print("wrote \(blob.bytes.count) bytes (\(blob.mediaType)) to \(output)")
            }
        }
    }

    struct Synth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a synthetic scalp image (skin tone and pigment dots; no real person) to a file.",
            discussion: "For demos and measurements: the same parameters and seed always give the same image.")

        @Argument(help: "Where to write it (.jpg, .png or .webp).") var output: String
        @Option(help: "Width in pixels.") var width = 800
        @Option(help: "Height in pixels.") var height = 600
        @Option(help: "Pigment dots per 1,000 square pixels.") var density = 5.0
        @Option(help: "Fade of the pigment, 0 (fresh) to 1 (gone).") var fade = 0.0
        @Option(help: "Fitzpatrick skin type 1-6.") var skinType = 3
        @Option(help: "Per-pixel grain 0-64 (higher makes larger files).") var grain = 6
        @Option(help: "JPEG/WebP quality 1-100.") var quality = 88
        @Option(help: "Seed.") var seed: UInt64 = 1

        func validate() throws {
            guard (1...12_000).contains(width), (1...12_000).contains(height) else {
                throw ValidationError("--width and --height must be 1...12000")
            }
            guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1...100") }
            guard
                Add.mediaType(extension: URL(fileURLWithPath: output).pathExtension).flatMap(
                    ImageFormat.init(mediaType:))
                    != nil
            else { throw ValidationError("OUTPUT must end in .jpg, .png or .webp") }
        }

        func run() async throws {
            try await reportingErrors {
                guard let type = Add.mediaType(extension: URL(fileURLWithPath: output).pathExtension),
                    let format = ImageFormat(mediaType: type)
                else { throw UserError("OUTPUT must end in .jpg, .png or .webp") }
                let scalp = SyntheticScalp(
                    width: width, height: height, dotsPerKilopixel: density, fade: fade, skinType: skinType,
                    grain: grain, seed: seed)
                let data: Data
                do {
                    data = try scalp.render(as: format, quality: quality)
                } catch {
                    throw UserError("could not render: \(error)")
                }
                try data.write(to: URL(fileURLWithPath: output))
                print("wrote \(data.count) bytes (\(type), \(width)x\(height)) to \(output)")
            }
        }
    }
}
