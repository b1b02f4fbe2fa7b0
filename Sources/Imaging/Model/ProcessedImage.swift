import Foundation

/// An uploaded image as it is kept: upright, re-encoded in its declared format with every metadata block
/// stripped, and its thumbnail.
public struct ProcessedImage: Sendable, Hashable {
    /// The stored bytes (no EXIF, XMP, IPTC, ICC or comments).
    public var bytes: Data
    /// Their format.
    public var format: ImageFormat
    /// Width after orientation, in pixels.
    public var width: Int
    /// Height after orientation, in pixels.
    public var height: Int
    /// The thumbnail (at most `ImageProcessor.thumbnailSize` on the long side), also stripped.
    public var thumbnail: Data
    /// The thumbnail's format: the image's, except JPEG for a HEIC image (browsers show JPEG everywhere).
    public var thumbnailFormat: ImageFormat
    /// The thumbnail's width.
    public var thumbnailWidth: Int
    /// The thumbnail's height.
    public var thumbnailHeight: Int
}
