/// The image formats a photo may be uploaded and stored in.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case jpeg
    case png
    case webp
    case heic

    /// The media type (`image/jpeg`, …).
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .heic: "image/heic"
        }
    }

    /// The usual file extension.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        case .heic: "heic"
        }
    }

    /// The format a media type names (parameters such as `; charset=` ignored, case-insensitive); nil for others.
    public init?(mediaType: String) {
        let bare = mediaType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? mediaType
        switch bare.trimmingSpaces.lowercased() {
        case "image/jpeg", "image/jpg", "image/pjpeg": self = .jpeg
        case "image/png": self = .png
        case "image/webp": self = .webp
        case "image/heic", "image/heif": self = .heic
        default: return nil
        }
    }

    /// The formats this process accepts: JPEG, PNG and WebP always; HEIC when libvips reads and writes it here.
    public static var accepted: [ImageFormat] {
        Vips.readsHEIF ? [.jpeg, .png, .webp, .heic] : [.jpeg, .png, .webp]
    }

    /// The format of a libvips loader class name (`VipsForeignLoadJpegBuffer` → `.jpeg`); nil for other loaders.
    init?(loaderClass: String) {
        let name = loaderClass.lowercased()
        if name.hasPrefix("vipsforeignloadjpeg") {
            self = .jpeg
        } else if name.hasPrefix("vipsforeignloadpng") {
            self = .png
        } else if name.hasPrefix("vipsforeignloadwebp") {
            self = .webp
        } else if name.hasPrefix("vipsforeignloadheif") {
            self = .heic
        } else {
            return nil
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var view = Substring(self)
        while view.first == " " { view = view.dropFirst() }
        while view.last == " " { view = view.dropLast() }
        return view
    }
}
