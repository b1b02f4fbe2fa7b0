import CVips
import Foundation

/// Checks that uploaded bytes are an image of the declared format, refuses decompression bombs before any
/// pixel is decoded, turns the image upright, re-encodes it with every metadata block stripped, and makes its
/// thumbnail. Thread-safe: each call owns its libvips images; libvips runs its own worker threads.
public struct ImageProcessor: Sendable {
    /// The largest number of pixels (width × height in the header) accepted: 50 megapixels by default,
    /// above any phone or DSLR a clinic uses, far below a bomb's 2.5 gigapixels.
    public var pixelLimit: Int
    /// The thumbnail's long side, in pixels.
    public var thumbnailSize: Int
    /// JPEG/WebP/HEIC quality of the stored image (1–100).
    public var quality: Int

    /// The long side of thumbnails unless configured otherwise.
    public static let defaultThumbnailSize = 320

    /// A processor; throws when libvips cannot start.
    public init(pixelLimit: Int = 50_000_000, thumbnailSize: Int = defaultThumbnailSize, quality: Int = 90)
        throws(ImagingError)
    {
        try Vips.start()
        self.pixelLimit = pixelLimit
        self.thumbnailSize = thumbnailSize
        self.quality = quality
    }

    /// The format libvips detects from the bytes themselves (nil: no image format the server takes).
    public func detectFormat(of data: Data) -> ImageFormat? {
        detect(data).format
    }

    private func detect(_ data: Data) -> (format: ImageFormat?, loader: String?) {
        data.withUnsafeBytes { raw -> (ImageFormat?, String?) in
            guard let base = raw.baseAddress, raw.count > 0, let name = vips_foreign_find_load_buffer(base, raw.count)
            else {
                _ = Vips.takeError()
                return (nil, nil)
            }
            let loader = String(cString: name)
            return (ImageFormat(loaderClass: loader), loader)
        }
    }

    /// Validates `data` as an image of `declared` and returns it upright, stripped, with its thumbnail.
    ///
    /// Order matters: the format is sniffed from the bytes, the header alone is read and its pixel count checked,
    /// and only then are pixels decoded (while encoding the stripped copy).
    public func process(_ data: Data, declared: ImageFormat) throws(ImagingError) -> ProcessedImage {
        guard !data.isEmpty else { throw .empty }
        guard ImageFormat.accepted.contains(declared) else {
            throw .unsupportedMediaType(declared: declared.mediaType, accepted: ImageFormat.accepted)
        }
        let detected = detect(data)
        guard let format = detected.format else {
            throw .notAnImage(declared: declared, detected: detected.loader.map(Self.describeLoader))
        }
        guard format == declared else { throw .formatMismatch(declared: declared, detected: format) }
        let stored = try Self.withHeader(of: data, format: format) { (image: VipsImage) throws(ImagingError) in
            try checkPixels(width: image.width, height: image.height)
            let upright = try image.autorotated()
            let bytes = try upright.encoded(as: format, quality: quality)
            return (bytes, upright.width, upright.height)
        }
        let storedData = Data(stored.0)
        let thumbnailFormat: ImageFormat = format == .heic ? .jpeg : format
        let thumb = try thumbnail(of: storedData, as: thumbnailFormat)
        return ProcessedImage(
            bytes: storedData, format: format, width: stored.1, height: stored.2, thumbnail: Data(thumb.bytes),
            thumbnailFormat: thumbnailFormat, thumbnailWidth: thumb.width, thumbnailHeight: thumb.height)
    }

    /// Checks bytes that were already processed (an export being restored) without re-encoding them: the format
    /// must be accepted, the header within the pixel limit, the pixels decodable; returns them with a new
    /// thumbnail. Re-encoding would change the bytes and so the content hash the event names.
    public func restore(_ data: Data) throws(ImagingError) -> ProcessedImage {
        guard !data.isEmpty else { throw .empty }
        let detected = detect(data)
        guard let format = detected.format, ImageFormat.accepted.contains(format) else {
            throw .notAnImage(declared: .jpeg, detected: detected.loader.map(Self.describeLoader))
        }
        let size = try Self.withHeader(of: data, format: format) { (image: VipsImage) throws(ImagingError) in
            try checkPixels(width: image.width, height: image.height)
            return (image.width, image.height)
        }
        let thumbnailFormat: ImageFormat = format == .heic ? .jpeg : format
        let thumb = try thumbnail(of: data, as: thumbnailFormat)
        return ProcessedImage(
            bytes: data, format: format, width: size.0, height: size.1, thumbnail: Data(thumb.bytes),
            thumbnailFormat: thumbnailFormat, thumbnailWidth: thumb.width, thumbnailHeight: thumb.height)
    }

    /// Width and height of an image already processed (or any accepted image), from its header only.
    public func dimensions(of data: Data) throws(ImagingError) -> (width: Int, height: Int) {
        guard !data.isEmpty else { throw .empty }
        guard let format = detectFormat(of: data) else { throw .notAnImage(declared: .jpeg, detected: nil) }
        return try Self.withHeader(of: data, format: format) { (image: VipsImage) throws(ImagingError) in
            (image.width, image.height)
        }
    }

    private func checkPixels(width: Int, height: Int) throws(ImagingError) {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, !overflow, pixels <= pixelLimit else {
            throw .tooManyPixels(width: width, height: height, limit: pixelLimit)
        }
    }

    /// A thumbnail of already validated bytes, at most `thumbnailSize` on the long side.
    private func thumbnail(of data: Data, as format: ImageFormat) throws(ImagingError)
        -> (bytes: [UInt8], width: Int, height: Int)
    {
        let size = Int32(clamping: thumbnailSize)
        let result = data.withUnsafeBytes { raw -> Result<([UInt8], Int, Int), ImagingError> in
            do throws(ImagingError) {
                let image = try VipsImage(
                    taking: stipple_vips_thumbnail(raw.baseAddress, raw.count, size), operation: "thumbnail_buffer")
                return .success((try image.encoded(as: format, quality: 80), image.width, image.height))
            } catch {
                return .failure(error)
            }
        }
        let (bytes, width, height) = try result.get()
        return (bytes, width, height)
    }

    /// Opens `data` with the loader of `format` (header only, lazily) and runs `body` while the bytes are pinned:
    /// libvips' buffer loaders read from the caller's memory without copying, so no image may outlive this call.
    private static func withHeader<T>(
        of data: Data, format: ImageFormat, _ body: (VipsImage) throws(ImagingError) -> T
    ) throws(ImagingError) -> T {
        let result = data.withUnsafeBytes { raw -> Result<T, ImagingError> in
            let pointer: UnsafeMutablePointer<CVips.VipsImage>?
            switch format {
            case .jpeg: pointer = stipple_vips_load_jpeg(raw.baseAddress, raw.count)
            case .png: pointer = stipple_vips_load_png(raw.baseAddress, raw.count)
            case .webp: pointer = stipple_vips_load_webp(raw.baseAddress, raw.count)
            case .heic: pointer = stipple_vips_load_heif(raw.baseAddress, raw.count)
            }
            guard let pointer else { return .failure(.undecodable(reason: Vips.takeError())) }
            do throws(ImagingError) {
                let image = try VipsImage(taking: pointer, operation: "load")
                return .success(try body(image))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// A loader class name in words a client understands (`VipsForeignLoadPdfBuffer` → `pdf`).
    private static func describeLoader(_ loader: String) -> String {
        var name = Substring(loader)
        if name.hasPrefix("VipsForeignLoad") { name = name.dropFirst("VipsForeignLoad".count) }
        for suffix in ["Buffer", "Source"] where name.hasSuffix(suffix) { name = name.dropLast(suffix.count) }
        return name.lowercased() + " data"
    }
}
