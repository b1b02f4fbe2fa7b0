import CVips
import Foundation

extension ImageProcessor {
    /// Encodes interleaved 8-bit RGB pixels (`width` × `height` × 3 bytes, row by row) as `format`, softened by
    /// a Gaussian blur of `blurSigma` (0 = none), with no metadata: images made from generated pixels, such as
    /// the demo's synthetic scalps, go through libvips like every other image.
    public static func encodeRGB(
        _ pixels: [UInt8], width: Int, height: Int, blurSigma: Double = 0, as format: ImageFormat = .jpeg,
        quality: Int = 88
    ) throws(ImagingError) -> Data {
        guard width > 0, height > 0, pixels.count == width * height * 3 else {
            throw .library(
                operation: "new_from_memory_copy",
                reason: "\(pixels.count) bytes are not \(width) × \(height) RGB pixels")
        }
        try Vips.start()
        // new_from_memory_copy copies the pixels: the image does not depend on `pixels` afterwards.
        let made = pixels.withUnsafeBytes { raw in
            vips_image_new_from_memory_copy(
                raw.baseAddress, raw.count, Int32(clamping: width), Int32(clamping: height), 3, VIPS_FORMAT_UCHAR)
        }
        var image = try VipsImage(taking: made, operation: "new_from_memory_copy")
        if blurSigma > 0 { image = try image.blurred(sigma: blurSigma) }
        return Data(try image.encoded(as: format, quality: quality))
    }
}
