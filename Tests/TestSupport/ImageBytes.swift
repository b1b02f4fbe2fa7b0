import Foundation

/// Reads and writes image container structure by hand, so tests check what a file carries without trusting
/// the library that wrote it.
public enum ImageBytes {
    /// The markers of a JPEG's header segments, in order, from SOI up to and including SOS.
    public static func jpegMarkers(_ data: Data) throws -> [(marker: UInt8, payload: Data)] {
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw ParseError.notJPEG }
        var markers: [(UInt8, Data)] = []
        var index = 2
        while index + 4 <= bytes.count {
            guard bytes[index] == 0xFF else { throw ParseError.malformed("no marker at \(index)") }
            let marker = bytes[index + 1]
            if marker == 0xFF {
                index += 1
                continue
            }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length >= 2, index + 2 + length <= bytes.count else { throw ParseError.malformed("segment length") }
            markers.append((marker, Data(bytes[(index + 4)..<(index + 2 + length)])))
            if marker == 0xDA { break }
            index += 2 + length
        }
        return markers
    }

    /// The chunk types of a PNG, in order.
    public static func pngChunks(_ data: Data) throws -> [String] {
        let bytes = [UInt8](data)
        guard bytes.count >= 8, Array(bytes[0..<8]) == pngSignature else { throw ParseError.notPNG }
        var chunks: [String] = []
        var index = 8
        while index + 12 <= bytes.count {
            let length =
                Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8
                | Int(bytes[index + 3])
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            chunks.append(type)
            index += 12 + length
            if type == "IEND" { break }
        }
        return chunks
    }

    public static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A PNG chunk with its CRC.
    public static func pngChunk(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        var chunk = bigEndian(UInt32(payload.count))
        chunk += typeBytes + payload
        chunk += bigEndian(crc32(typeBytes + payload))
        return chunk
    }

    /// `png` with `chunks` inserted right after IHDR.
    public static func insertingPNGChunks(_ png: Data, _ chunks: [[UInt8]]) -> Data {
        var bytes = [UInt8](png)
        let afterIHDR = 8 + 12 + 13
        bytes.insert(contentsOf: chunks.flatMap { $0 }, at: afterIHDR)
        return Data(bytes)
    }

    /// `jpeg` with `segments` (each a complete marker segment) inserted right after SOI.
    public static func insertingJPEGSegments(_ jpeg: Data, _ segments: [[UInt8]]) -> Data {
        var bytes = [UInt8](jpeg)
        bytes.insert(contentsOf: segments.flatMap { $0 }, at: 2)
        return Data(bytes)
    }

    public static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0xFF, marker] + bigEndian(UInt16(payload.count + 2)) + payload
    }

    /// An APP1 EXIF segment (big-endian TIFF) with an orientation, a camera make, a body serial number and GPS
    /// coordinates, built by hand.
    public static func exifSegment(
        orientation: UInt16, make: String, serial: String, latitude: [UInt32], longitude: [UInt32]
    )
        -> [UInt8]
    {
        // Layout: header(8) | IFD0 (4 entries) | make | Exif IFD (1 entry) | serial | GPS IFD (4 entries) | lat | lon
        let makeBytes = Array(make.utf8) + [0]
        let serialBytes = Array(serial.utf8) + [0]
        let ifd0 = 8
        let makeOffset = ifd0 + 2 + 4 * 12 + 4
        let exifIFD = even(makeOffset + makeBytes.count)
        let serialOffset = exifIFD + 2 + 12 + 4
        let gpsIFD = even(serialOffset + serialBytes.count)
        let latOffset = gpsIFD + 2 + 4 * 12 + 4
        let lonOffset = latOffset + 24

        var tiff: [UInt8] = Array("MM".utf8) + [0x00, 0x2A] + bigEndian(UInt32(ifd0))
        tiff += bigEndian(UInt16(4))
        tiff += entry(0x010F, type: 2, count: makeBytes.count, value: bigEndian(UInt32(makeOffset)))
        tiff += entry(0x0112, type: 3, count: 1, value: bigEndian(orientation) + [0, 0])
        tiff += entry(0x8769, type: 4, count: 1, value: bigEndian(UInt32(exifIFD)))
        tiff += entry(0x8825, type: 4, count: 1, value: bigEndian(UInt32(gpsIFD)))
        tiff += bigEndian(UInt32(0))
        tiff += makeBytes
        tiff += [UInt8](repeating: 0, count: exifIFD - tiff.count)
        tiff += bigEndian(UInt16(1))
        tiff += entry(0xA431, type: 2, count: serialBytes.count, value: bigEndian(UInt32(serialOffset)))
        tiff += bigEndian(UInt32(0))
        tiff += serialBytes
        tiff += [UInt8](repeating: 0, count: gpsIFD - tiff.count)
        tiff += bigEndian(UInt16(4))
        tiff += entry(0x0001, type: 2, count: 2, value: Array("N".utf8) + [0, 0, 0])
        tiff += entry(0x0002, type: 5, count: 3, value: bigEndian(UInt32(latOffset)))
        tiff += entry(0x0003, type: 2, count: 2, value: Array("E".utf8) + [0, 0, 0])
        tiff += entry(0x0004, type: 5, count: 3, value: bigEndian(UInt32(lonOffset)))
        tiff += bigEndian(UInt32(0))
        for value in latitude + longitude { tiff += bigEndian(value) + bigEndian(UInt32(1)) }
        return segment(0xE1, Array("Exif".utf8) + [0, 0] + tiff)
    }

    /// An APP1 XMP segment.
    public static func xmpSegment(_ xml: String) -> [UInt8] {
        segment(0xE1, Array("http://ns.adobe.com/xap/1.0/".utf8) + [0] + Array(xml.utf8))
    }

    /// An APP13 IPTC segment (Photoshop resource 0x0404) with a caption.
    public static func iptcSegment(caption: String) -> [UInt8] {
        let captionBytes = Array(caption.utf8)
        let iptc: [UInt8] = [0x1C, 0x02, 0x78] + bigEndian(UInt16(captionBytes.count)) + captionBytes
        var resource: [UInt8] = Array("8BIM".utf8) + [0x04, 0x04, 0x00, 0x00] + bigEndian(UInt32(iptc.count)) + iptc
        if resource.count % 2 == 1 { resource.append(0) }
        return segment(0xED, Array("Photoshop 3.0".utf8) + [0] + resource)
    }

    private static func entry(_ tag: UInt16, type: UInt16, count: Int, value: [UInt8]) -> [UInt8] {
        bigEndian(tag) + bigEndian(type) + bigEndian(UInt32(count)) + value
    }

    private static func even(_ value: Int) -> Int { value + value % 2 }

    public static func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    public static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A PNG whose header declares `width` x `height` pixels of 8-bit RGB but carries only a few bytes of
    /// compressed data: a decompression bomb's header.
    public static func bombPNG(width: UInt32, height: UInt32) -> Data {
        var bytes = pngSignature
        bytes += pngChunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0])
        // A zlib stream of a few zero bytes (deflate stored block): valid start, far too short.
        bytes += pngChunk("IDAT", [0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01])
        bytes += pngChunk("IEND", [])
        return Data(bytes)
    }

    /// The secrets `withMetadata` writes, each of which must be gone after stripping.
    public static let metadataSecrets = [
        "Exif", "SN-8675309-XYZ", "StippleCam", "XMP-SERIAL-42", "IPTC-CAPTION", "51.5074N", "xmpmeta",
    ]

    /// `jpeg` tagged "rotate 90° clockwise" (EXIF orientation 6) and carrying GPS coordinates, a camera make and
    /// body serial number (EXIF), XMP, IPTC and a comment.
    public static func withMetadata(_ jpeg: Data) -> Data {
        insertingJPEGSegments(
            jpeg,
            [
                exifSegment(
                    orientation: 6, make: "StippleCam", serial: "SN-8675309-XYZ", latitude: [51, 30, 26],
                    longitude: [0, 7, 39]),
                xmpSegment(
                    #"<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>51,30.4N</exif:GPSLatitude>"#
                        + #"<aux:SerialNumber>XMP-SERIAL-42</aux:SerialNumber></x:xmpmeta>"#),
                iptcSegment(caption: "IPTC-CAPTION-client-at-home"),
                segment(0xFE, Array("COMMENT-taken-at-51.5074N".utf8)),
            ])
    }

    /// Whether `needle` occurs anywhere in `data`.
    public static func contains(_ data: Data, _ needle: String) -> Bool {
        data.range(of: Data(needle.utf8)) != nil
    }

    public enum ParseError: Error {
        case notJPEG
        case notPNG
        case malformed(String)
    }
}
