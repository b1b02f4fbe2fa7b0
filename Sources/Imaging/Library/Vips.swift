import CVips
import Foundation

/// libvips, started once per process.
enum Vips {
    /// The outcome of `vips_init`, run on first use (a Swift `static let` is initialised once, thread-safely).
    private static let started: Result<Void, ImagingError> = {
        if stipple_vips_start() != 0 {
            return .failure(.library(operation: "vips_init", reason: takeError()))
        }
        return .success(())
    }()

    /// Starts libvips if this process has not yet; throws when it cannot start.
    static func start() throws(ImagingError) {
        try started.get()
    }

    /// Whether the linked libvips can load and save HEIF (libheif with its codecs).
    static let readsHEIF: Bool = {
        (try? start()) != nil && stipple_vips_has_operation("heifload_buffer") != 0
            && stipple_vips_has_operation("heifsave_buffer") != 0
    }()

    /// libvips' last error message, taken (the error buffer is cleared).
    static func takeError() -> String {
        guard let text = stipple_vips_take_error() else { return "unknown libvips error" }
        defer { g_free(text) }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "unknown libvips error" : message
    }
}
