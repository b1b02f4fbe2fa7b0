import Foundation

/// The file an import reads, which it reads twice (check, then append): a path, or standard input spooled
/// to a temporary file first.
struct ImportSource: Sendable {
    let url: URL
    /// True when `url` is a spool file to delete afterwards.
    let isSpooled: Bool

    init(path: String) throws {
        guard path == "-" else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw UserError("cannot read \(path): no such file")
            }
            url = URL(fileURLWithPath: path)
            isSpooled = false
            return
        }
        let spool = FileManager.default.temporaryDirectory
            .appendingPathComponent(
                "stipple-import-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).jsonl")
        guard FileManager.default.createFile(atPath: spool.path, contents: nil) else {
            throw UserError("cannot create a temporary file in \(spool.deletingLastPathComponent().path)")
        }
        url = spool
        isSpooled = true
        let output = try FileHandle(forWritingTo: spool)
        defer { try? output.close() }
        while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
            try output.write(contentsOf: chunk)
        }
    }

    /// A fresh handle at the start of the file.
    func open() throws -> FileHandle {
        do {
            return try FileHandle(forReadingFrom: url)
        } catch {
            throw UserError("cannot read \(isSpooled ? "standard input" : url.path): \(error.localizedDescription)")
        }
    }

    /// Deletes the spool file, if any.
    func remove() {
        if isSpooled { try? FileManager.default.removeItem(at: url) }
    }
}
