import Foundation
import JSONNodes

/// The members and objects of an event's JSON by byte range, from `JSONDocument`'s one scan, so personal
/// values can be replaced in place without re-encoding the rest of an event (numbers and key order stay as
/// they were).
///
/// It expects valid JSON (the store validated it, or PostgreSQL printed it) and throws on anything else.
struct JSONMemberScanner {
    /// One `"key": value` member.
    struct Member {
        var key: String
        /// The value's bytes.
        var value: Range<Int>
    }

    /// One object, with its first key and how many members it has.
    struct Object {
        var range: Range<Int>
        var firstKey: String?
        var memberCount: Int
        /// The value range of the first member.
        var firstValue: Range<Int>?
    }

    struct Malformed: Error {
        var reason: String
    }

    /// How deep event data may nest for the vault to read it (the recursion of the scan is bounded).
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private(set) var members: [Member] = []
    private(set) var objects: [Object] = []

    /// Scans `data` and records every member and object.
    init(_ data: Data) throws {
        bytes = Array(data)
        var members: [Member] = []
        var objects: [Object] = []
        try bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONNodeError) {
                let document = try JSONDocument(scanning: buffer, maximumDepth: Self.maximumDepth)
                for (index, node) in document.nodes.enumerated() where node.kind == .object {
                    var first: Member?
                    var count = 0
                    for (key, value) in document.members(of: index) {
                        let member = Member(key: try document.string(key), value: document.nodes[value].range)
                        members.append(member)
                        if first == nil { first = member }
                        count += 1
                    }
                    objects.append(
                        Object(range: node.range, firstKey: first?.key, memberCount: count, firstValue: first?.value))
                }
            } catch {
                throw Malformed(reason: "\(error.reason) (at byte \(error.offset))")
            }
        }
        self.members = members
        self.objects = objects
    }

    /// The bytes of `range`.
    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    /// The outermost values of members named `key` (a match inside another match is left out).
    func outermostValues(of key: String) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in members.filter({ $0.key == key }).map(\.value).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, last.contains(range.lowerBound) { continue }
            result.append(range)
        }
        return result
    }
}

extension Data {
    /// True when `needle` occurs in these bytes (a fast check before any parsing; every event read passes
    /// through here). Looks for the needle's second byte with the C library's `memchr`, which compares many
    /// bytes at a time: JSON is full of the first (`"`), the second (`$` of `"$sealed"`) is rare.
    func containsBytes(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        let pivot = needle.count > 1 ? 1 : 0
        return withUnsafeBytes { (haystack: UnsafeRawBufferPointer) -> Bool in
            needle.withUnsafeBytes { pattern -> Bool in
                guard let base = haystack.baseAddress, let patternBase = pattern.baseAddress else { return false }
                // Candidates for the pivot byte lie in [pivot, count - needle.count + pivot].
                var offset = pivot
                let last = haystack.count - needle.count + pivot
                while offset <= last {
                    guard let hit = memchr(base + offset, Int32(needle[pivot]), last - offset + 1) else {
                        return false
                    }
                    let found = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + (found - pivot), patternBase, needle.count) == 0 { return true }
                    offset = found + 1
                }
                return false
            }
        }
    }
}
