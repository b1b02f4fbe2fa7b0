import Foundation

/// Reads a file line by line with bounded memory, numbering lines from 1.
///
/// Lines end with `\n` (a `\r` before it is dropped); the last line may lack one. A line longer than
/// `maximumLineBytes` is an error naming it rather than unbounded growth.
struct LineReader {
    struct LineTooLong: Error, CustomStringConvertible {
        var line: Int
        var limit: Int
        var description: String { "line \(line): longer than \(limit) bytes" }
    }

    private let handle: FileHandle
    private let maximumLineBytes: Int
    private var buffer = Data()
    private var atEnd = false
    /// The number of the line last returned.
    private(set) var lineNumber = 0

    init(handle: FileHandle, maximumLineBytes: Int = 64 << 20) {
        self.handle = handle
        self.maximumLineBytes = maximumLineBytes
    }

    /// The next line without its newline, or nil at the end of the file.
    mutating func next() throws -> Data? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                var line = buffer[buffer.startIndex..<newline]
                buffer = buffer[(newline + 1)...]
                if line.last == 0x0D { line = line.dropLast() }
                lineNumber += 1
                return Data(line)
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = Data() }
                lineNumber += 1
                return Data(buffer)
            }
            guard buffer.count <= maximumLineBytes else {
                throw LineTooLong(line: lineNumber + 1, limit: maximumLineBytes)
            }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty {
                atEnd = true
            } else {
                buffer = buffer.isEmpty ? chunk : buffer + chunk
            }
        }
    }
}
