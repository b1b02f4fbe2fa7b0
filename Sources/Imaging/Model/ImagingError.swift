/// Why an image was refused or could not be processed. Each case says what to send instead.
public enum ImagingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body was empty.
    case empty
    /// The declared media type is not one the server takes.
    case unsupportedMediaType(declared: String, accepted: [ImageFormat])
    /// The bytes are no image format the server takes (a PDF, a zip, text…); `detected` names what libvips saw, if anything.
    case notAnImage(declared: ImageFormat, detected: String?)
    /// The bytes are an image, but of another format than declared.
    case formatMismatch(declared: ImageFormat, detected: ImageFormat)
    /// The header declares more pixels than allowed (a decompression bomb, or simply too large): refused before decoding.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// The image is damaged or truncated: libvips could not decode its pixels.
    case undecodable(reason: String)
    /// libvips itself failed (not the caller's fault).
    case library(operation: String, reason: String)

    /// Whether the caller's bytes are at fault (an HTTP 4xx) rather than the server (5xx).
    public var isClientError: Bool {
        if case .library = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .empty:
            return "the image is empty (0 bytes): send the image's bytes as the body"
        case .unsupportedMediaType(let declared, let accepted):
            return "media type '\(declared)' is not accepted: send one of "
                + accepted.map(\.mediaType).joined(separator: ", ")
        case .notAnImage(let declared, let detected):
            return "the body is not a \(declared.mediaType) image"
                + (detected.map { " (it looks like \($0))" } ?? " (no known image format)")
        case .formatMismatch(let declared, let detected):
            return "the body is a \(detected.mediaType) image but was declared as \(declared.mediaType): "
                + "declare \(detected.mediaType)"
        case .tooManyPixels(let width, let height, let limit):
            return "the image declares \(width) x \(height) pixels, more than the limit of \(limit) pixels"
        case .undecodable(let reason):
            return "the image could not be decoded (damaged or truncated): \(reason)"
        case .library(let operation, let reason):
            return "libvips failed in \(operation): \(reason)"
        }
    }
}
