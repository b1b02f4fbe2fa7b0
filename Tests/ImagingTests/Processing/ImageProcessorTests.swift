import Foundation
import ClinicService
import Imaging
import TestSupport
import Testing

@Suite("Image processing: validate, orient, strip, thumbnail")
struct ImageProcessorTests {
    let processor: ImageProcessor

    init() throws {
        processor = try ImageProcessor()
    }

    /// A 400 x 200 JPEG tagged "rotate 90° clockwise", with GPS, a camera serial, XMP, IPTC and a comment.
    static func taggedJPEG() throws -> Data {
        ImageBytes.withMetadata(try SyntheticScalp(width: 400, height: 200, seed: 7).render(as: .jpeg))
    }

    @Test("the tagged test JPEG really carries EXIF, XMP, IPTC and a comment before processing")
    func taggedInputCarriesMetadata() throws {
        let markers = try ImageBytes.jpegMarkers(try Self.taggedJPEG()).map(\.marker)
        #expect(markers.filter { $0 == 0xE1 }.count == 2)
        #expect(markers.contains(0xED))
        #expect(markers.contains(0xFE))
    }

    @Test("a JPEG with GPS and a camera serial comes back upright with no metadata segment left")
    func strippedAndOriented() throws {
        let input = try Self.taggedJPEG()
        let result = try processor.process(input, declared: .jpeg)
        // Orientation 6 on a 400 x 200 image: stored 200 wide, 400 high.
        #expect(result.width == 200)
        #expect(result.height == 400)
        let markers = try ImageBytes.jpegMarkers(result.bytes)
        let metadataMarkers: Set<UInt8> = [0xE1, 0xED, 0xE2, 0xFE]
        let metadata: [UInt8] = markers.map(\.marker).filter { metadataMarkers.contains($0) }
        #expect(metadata.isEmpty, "metadata segments left: \(metadata.map { String($0, radix: 16) })")
        for secret in ImageBytes.metadataSecrets {
            #expect(!ImageBytes.contains(result.bytes, secret), "\(secret) survived")
        }
        // The stored bytes decode to the same dimensions (no orientation tag left to apply twice).
        let again = try processor.dimensions(of: result.bytes)
        #expect(again.width == 200 && again.height == 400)
        #expect(result.format == .jpeg)
    }

    @Test("the thumbnail fits 320 px on the long side, keeps the aspect ratio and carries no metadata")
    func thumbnail() throws {
        let input = try SyntheticScalp(width: 1200, height: 900, seed: 3).render(as: .jpeg)
        let result = try processor.process(input, declared: .jpeg)
        #expect(result.thumbnailWidth == 320)
        #expect(result.thumbnailHeight == 240)
        let dims = try processor.dimensions(of: result.thumbnail)
        #expect(dims.width == 320 && dims.height == 240)
        let markers = try ImageBytes.jpegMarkers(result.thumbnail).map(\.marker)
        #expect(!markers.contains(0xE1) && !markers.contains(0xFE))
    }

    @Test("a PNG with eXIf, tEXt and iTXt chunks is stored with pixel chunks only")
    func pngStripped() throws {
        let plain = try SyntheticScalp(width: 120, height: 80, seed: 5).render(as: .png)
        let tagged = ImageBytes.insertingPNGChunks(
            plain,
            [
                ImageBytes.pngChunk("tEXt", Array("Comment".utf8) + [0] + Array("PNG-SECRET-GPS-51N".utf8)),
                ImageBytes.pngChunk(
                    "iTXt",
                    Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + Array("<x:xmpmeta>XMP-PNG</x:xmpmeta>".utf8)),
            ])
        #expect(try ImageBytes.pngChunks(tagged).contains("tEXt"))
        let result = try processor.process(tagged, declared: .png)
        let chunks = try ImageBytes.pngChunks(result.bytes)
        // pHYs (pixels per metre) is the only ancillary chunk libpng writes: a resolution, nothing about anyone.
        #expect(Set(chunks).isSubset(of: ["IHDR", "PLTE", "pHYs", "IDAT", "IEND"]), "chunks: \(chunks)")
        #expect(!ImageBytes.contains(result.bytes, "PNG-SECRET"))
        #expect(result.width == 120 && result.height == 80)
    }

    @Test("a WebP upload is kept as WebP")
    func webp() throws {
        let input = try SyntheticScalp(width: 64, height: 48, seed: 2).render(as: .webp)
        let result = try processor.process(input, declared: .webp)
        #expect(result.format == .webp)
        #expect(processor.detectFormat(of: result.bytes) == .webp)
        #expect(result.width == 64)
    }

    @Test("a PNG declared as JPEG is a format mismatch naming both types")
    func pngDeclaredAsJPEG() throws {
        let png = try SyntheticScalp(width: 40, height: 40).render(as: .png)
        #expect(throws: ImagingError.formatMismatch(declared: .jpeg, detected: .png)) {
            try processor.process(png, declared: .jpeg)
        }
    }

    @Test("a truncated JPEG is refused as undecodable")
    func truncated() throws {
        let jpeg = try SyntheticScalp(width: 600, height: 400, seed: 9).render(as: .jpeg)
        let cut = jpeg.prefix(jpeg.count / 2)
        do {
            _ = try processor.process(Data(cut), declared: .jpeg)
            Issue.record("a truncated JPEG was accepted")
        } catch let error {
            guard case .undecodable = error else {
                Issue.record("expected undecodable, got \(error)")
                return
            }
            #expect(error.isClientError)
        }
    }

    @Test("a zip, a PDF and random bytes are not images")
    func notImages() throws {
        let zip = Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0] + [UInt8](repeating: 0x41, count: 64))
        let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
        for body in [zip, pdf, Data("hello, world".utf8)] {
            do {
                _ = try processor.process(body, declared: .jpeg)
                Issue.record("accepted \(body.prefix(4))")
            } catch let error {
                guard case .notAnImage = error else {
                    Issue.record("expected notAnImage, got \(error)")
                    continue
                }
            }
        }
    }

    @Test("an empty body is refused")
    func empty() {
        #expect(throws: ImagingError.empty) { try processor.process(Data(), declared: .png) }
    }

    @Test("a tiny PNG declaring 50,000 x 50,000 pixels is refused from its header, without decoding")
    func bomb() throws {
        let bomb = ImageBytes.bombPNG(width: 50_000, height: 50_000)
        #expect(bomb.count < 100)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: ImagingError.tooManyPixels(width: 50_000, height: 50_000, limit: 50_000_000)) {
                try processor.process(bomb, declared: .png)
            }
        }
        // Decoding 7.5 GB of pixels would take minutes; reading a header takes milliseconds (the bound leaves
        // room for a loaded machine and still tells the two apart).
        #expect(elapsed < .seconds(30))
    }

    @Test("media types map to formats; others are refused")
    func mediaTypes() {
        #expect(ImageFormat(mediaType: "image/jpeg") == .jpeg)
        #expect(ImageFormat(mediaType: "IMAGE/PNG; q=1") == .png)
        #expect(ImageFormat(mediaType: "application/pdf") == nil)
        #expect(ImageFormat.accepted.starts(with: [.jpeg, .png, .webp]))
    }
}
