import Foundation
import ClinicService
import Imaging
import TestSupport
import Testing

@Suite("Synthetic scalp images")
struct SyntheticScalpTests {
    @Test("the same parameters give the same bytes; denser dots give a different image")
    func deterministic() throws {
        let sparse = SyntheticScalp(width: 200, height: 150, dotsPerKilopixel: 0.5, seed: 4)
        let dense = SyntheticScalp(width: 200, height: 150, dotsPerKilopixel: 8, seed: 4)
        #expect(try sparse.render() == sparse.render())
        #expect(try sparse.render() != dense.render())
    }

    @Test("a rendered image is a JPEG of the asked size with no metadata segment")
    func rendered() throws {
        let data = try SyntheticScalp(width: 300, height: 220).render(as: .jpeg)
        let processor = try ImageProcessor()
        #expect(processor.detectFormat(of: data) == .jpeg)
        let dims = try processor.dimensions(of: data)
        #expect(dims.width == 300 && dims.height == 220)
        #expect(!(try ImageBytes.jpegMarkers(data).map(\.marker).contains(0xE1)))
    }

    @Test("dots darken the image as density rises and lighten as the pigment fades")
    func density() throws {
        func darkShare(_ scalp: SyntheticScalp) -> Double {
            let pixels = scalp.rgbPixelsForTesting()
            var dark = 0
            for index in stride(from: 0, to: pixels.count, by: 3) where pixels[index] < 80 { dark += 1 }
            return Double(dark) / Double(pixels.count / 3)
        }
        let none = darkShare(SyntheticScalp(width: 200, height: 200, dotsPerKilopixel: 0, skinType: 2))
        let some = darkShare(SyntheticScalp(width: 200, height: 200, dotsPerKilopixel: 2, skinType: 2))
        let many = darkShare(SyntheticScalp(width: 200, height: 200, dotsPerKilopixel: 8, skinType: 2))
        let faded = darkShare(SyntheticScalp(width: 200, height: 200, dotsPerKilopixel: 8, fade: 0.9, skinType: 2))
        #expect(none == 0)
        #expect(some > 0 && many > some * 2)
        #expect(faded < many / 4)
    }
}
