import CVips

/// The one owner of a `VipsImage` reference: released exactly once, when this object goes.
final class VipsImage {
    let pointer: UnsafeMutablePointer<CVips.VipsImage>

    /// Takes ownership of `pointer` (a new reference returned by libvips), or throws libvips' error for nil.
    init(taking pointer: UnsafeMutablePointer<CVips.VipsImage>?, operation: String) throws(ImagingError) {
        guard let pointer else { throw .library(operation: operation, reason: Vips.takeError()) }
        self.pointer = pointer
    }

    deinit {
        stipple_vips_release(pointer)
    }

    var width: Int { Int(vips_image_get_width(pointer)) }
    var height: Int { Int(vips_image_get_height(pointer)) }

    /// The image turned upright by its EXIF orientation.
    func autorotated() throws(ImagingError) -> VipsImage {
        try VipsImage(taking: stipple_vips_autorotate(pointer), operation: "autorot")
    }

    /// A Gaussian blur with `sigma`.
    func blurred(sigma: Double) throws(ImagingError) -> VipsImage {
        try VipsImage(taking: stipple_vips_blur(pointer, sigma), operation: "gaussblur")
    }

    /// Encodes the pixels as `format` with every metadata block stripped. Decodes the source pixels now,
    /// so a truncated or corrupt source fails here.
    func encoded(as format: ImageFormat, quality: Int) throws(ImagingError) -> [UInt8] {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let status: Int32
        switch format {
        case .jpeg: status = stipple_vips_save_jpeg(pointer, Int32(quality), &buffer, &length)
        case .png: status = stipple_vips_save_png(pointer, &buffer, &length)
        case .webp: status = stipple_vips_save_webp(pointer, Int32(quality), &buffer, &length)
        case .heic: status = stipple_vips_save_heif(pointer, Int32(quality), &buffer, &length)
        }
        let owned = GBuffer(taking: buffer, count: length)
        guard status == 0, let owned else {
            throw .undecodable(reason: Vips.takeError())
        }
        return owned.bytes
    }
}

/// The one owner of a buffer libvips allocated with g_malloc: freed with g_free when this object goes.
final class GBuffer {
    private let pointer: UnsafeMutableRawPointer
    private let count: Int

    init?(taking pointer: UnsafeMutableRawPointer?, count: Int) {
        guard let pointer else { return nil }
        self.pointer = pointer
        self.count = count
    }

    deinit {
        g_free(pointer)
    }

    /// A copy of the bytes.
    var bytes: [UInt8] {
        Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
