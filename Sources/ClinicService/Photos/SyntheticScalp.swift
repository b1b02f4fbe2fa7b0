import Clinic
import Foundation
import Imaging

/// Synthetic scalp images for the demo and tests: a skin-tone field with pigment dots whose density follows
/// the treatment, and whose darkness follows the fade. Made with libvips from generated pixels: no photo of
/// a real person, nothing downloaded.
public struct SyntheticScalp: Sendable, Hashable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Pigment dots per 1,000 square pixels (0 = an untreated scalp; 4–8 looks like a finished treatment).
    public var dotsPerKilopixel: Double
    /// How far the pigment has faded toward the skin (0 = fresh and dark, 1 = gone).
    public var fade: Double
    /// Fitzpatrick skin type 1–6, for the base tone.
    public var skinType: Int
    /// Per-pixel grain (0–64): skin texture; higher values also make larger files.
    public var grain: Int
    /// Seed: the same parameters and seed give the same pixels.
    public var seed: UInt64

    /// Parameters of one image.
    public init(
        width: Int = 800, height: Int = 600, dotsPerKilopixel: Double = 5, fade: Double = 0, skinType: Int = 3,
        grain: Int = 6, seed: UInt64 = 1
    ) {
        self.width = width
        self.height = height
        self.dotsPerKilopixel = dotsPerKilopixel
        self.fade = fade
        self.skinType = skinType
        self.grain = grain
        self.seed = seed
    }

    /// The image encoded as `format` (metadata-free, like every image Imaging writes).
    public func render(as format: ImageFormat = .jpeg, quality: Int = 88) throws(ImagingError) -> Data {
        try ImageProcessor.encodeRGB(
            rgbPixels(), width: max(1, width), height: max(1, height), blurSigma: 0.7, as: format, quality: quality)
    }

    /// The generated pixels before encoding (interleaved 8-bit RGB), for checking what the parameters do.
    public func rgbPixelsForTesting() -> [UInt8] { rgbPixels() }

    /// Interleaved 8-bit RGB.
    func rgbPixels() -> [UInt8] {
        let w = max(1, width)
        let h = max(1, height)
        var random = SplitMix64(seed: seed)
        let tones: [(Double, Double, Double)] = [
            (246, 221, 204), (236, 196, 170), (214, 170, 134), (180, 132, 96), (130, 88, 60), (84, 56, 40),
        ]
        let base = tones[min(max(skinType, 1), 6) - 1]
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        let amplitude = Double(min(max(grain, 0), 64))
        for y in 0..<h {
            // A gentle light falloff toward the edges, as on a domed scalp.
            let vy = Double(y) / Double(h) - 0.5
            for x in 0..<w {
                let vx = Double(x) / Double(w) - 0.5
                let light = 1.0 - 0.35 * (vx * vx + vy * vy)
                let noise = amplitude == 0 ? 0 : (random.uniform() - 0.5) * amplitude
                let offset = (y * w + x) * 3
                pixels[offset] = Self.clamp(base.0 * light + noise)
                pixels[offset + 1] = Self.clamp(base.1 * light + noise)
                pixels[offset + 2] = Self.clamp(base.2 * light + noise)
            }
        }
        // Pigment dots: near-black, lightened toward the skin as the pigment fades.
        let dotCount = Int(Double(w * h) / 1000 * max(0, dotsPerKilopixel))
        let f = min(max(fade, 0), 1)
        let ink = (22.0 + (base.0 - 22) * f, 20.0 + (base.1 - 20) * f, 24.0 + (base.2 - 24) * f)
        for _ in 0..<dotCount {
            let cx = Int(random.uniform() * Double(w))
            let cy = Int(random.uniform() * Double(h))
            let radius = 1 + Int(random.uniform() * 2.5)
            for dy in -radius...radius {
                for dx in -radius...radius where dx * dx + dy * dy <= radius * radius {
                    let px = cx + dx
                    let py = cy + dy
                    guard px >= 0, px < w, py >= 0, py < h else { continue }
                    let offset = (py * w + px) * 3
                    pixels[offset] = Self.clamp(ink.0)
                    pixels[offset + 1] = Self.clamp(ink.1)
                    pixels[offset + 2] = Self.clamp(ink.2)
                }
            }
        }
        return pixels
    }

    private static func clamp(_ value: Double) -> UInt8 {
        UInt8(min(max(value.rounded(), 0), 255))
    }
}
