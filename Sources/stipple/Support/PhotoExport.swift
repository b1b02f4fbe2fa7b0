import Clinic
import EventStore
import Foundation
import Imaging
import Postgres
import ClinicService

/// Writes clients' stored photos, decrypted, into a folder (`stipple export --photos DIR`) and reads them back
/// (`stipple import --photos DIR`). Layout: `DIR/client-<id>/<sha256>.<ext>`; the file name is the content hash
/// the `client.photo-logged` event names, so an import checks every file against the log.
struct PhotoExport {
    let store: EventStore
    let access: AccessOptions?
    let pool: ConnectionPool

    /// Writes the photos of the clients in scope; returns how many files were written.
    func write(to directory: String, stream: String?, category: String?) async throws -> Int {
        let service = PhotoService(store: store)
        let clients: [ClientID]
        if let stream {
            guard stream.hasPrefix("client-"), let id = UUID(uuidString: String(stream.dropFirst("client-".count)))
            else { return 0 }
            clients = [id]
        } else if category == nil || category == "client" {
            clients = try await service.clientsWithPhotos()
        } else {
            return 0
        }
        var written = 0
        for client in clients {
            let subject = Clinic.StreamName.client(client).rawValue
            let photos: [StoredPhoto]
            do {
                photos = try await service.list(client: client).filter(\.stored)
            } catch PhotoError.forgotten {
                FileHandle.standardError.write(Data("\(subject) was forgotten: no photos to export\n".utf8))
                continue
            }
            guard !photos.isEmpty else { continue }
            try await access?.record("photos.export", subject: subject, pool: pool)
            let folder = URL(fileURLWithPath: directory).appendingPathComponent(subject)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for photo in photos {
                let image = try await service.image(client: client, contentHash: photo.contentHash)
                let ext = ImageFormat(mediaType: image.mediaType)?.fileExtension ?? "bin"
                try image.bytes.write(
                    to: folder.appendingPathComponent("\(photo.contentHash).\(ext)"), options: .atomic)
                written += 1
            }
        }
        return written
    }

    /// Restores every `client-<id>/<hash>.<ext>` file under `directory`; returns (restored, already stored).
    func restore(from directory: String) async throws -> (restored: Int, alreadyStored: Int) {
        let service = PhotoService(store: store)
        let root = URL(fileURLWithPath: directory)
        var restored = 0
        var already = 0
        let folders = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("client-") }
        for folder in folders.sorted() {
            guard let client = UUID(uuidString: String(folder.dropFirst("client-".count))) else { continue }
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
            for file in files.sorted() {
                let data = try Data(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(file))
                do {
                    if try await service.restore(data, client: client) { restored += 1 } else { already += 1 }
                } catch let error as PhotoError {
                    throw PhotoRestoreError(file: "\(folder)/\(file)", reason: error.description)
                }
            }
        }
        return (restored, already)
    }
}

struct PhotoRestoreError: Error, CustomStringConvertible {
    var file: String
    var reason: String
    var description: String { "photo \(file) was not restored: \(reason)" }
}
