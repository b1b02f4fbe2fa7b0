import Foundation

extension QueryResult {
    /// The index of the column named `name`, or a decoding error naming it.
    func columnIndex(_ name: String) throws -> Int {
        guard let index = storage.columns.firstIndex(of: name) else {
            throw PostgresError(code: .decoding, message: "no column named \(name)")
        }
        return index
    }

    /// Throws the error a row's `decode` gives for a NULL cell of a non-optional type.
    private func requireNoNulls(_ column: Int, as type: Any.Type) throws {
        for row in 0..<storage.rowCount where storage.isNull(row: row, column: column) {
            throw PostgresError(
                code: .decoding, message: "column \(storage.columns[column]) is NULL but \(type) is not optional")
        }
    }

    /// The text of the column named `name` in every row, each row's `Data` a slice of one buffer the
    /// whole column is copied into: one allocation for a page of JSON documents instead of two per cell.
    ///
    /// The slices keep the whole buffer alive as long as any of them lives, and their indices start
    /// where the cell starts in the buffer, not at 0. NULL is an error, as for `decode(Data.self)`.
    public func sharedBytes(column name: String) throws -> [Data] {
        let column = try columnIndex(name)
        try requireNoNulls(column, as: Data.self)
        var total = 0
        for row in 0..<storage.rowCount { total += storage.length(row: row, column: column) }
        let buffer = storage.concatenated(column: column, total: total)
        var result: [Data] = []
        result.reserveCapacity(storage.rowCount)
        var start = buffer.startIndex
        for row in 0..<storage.rowCount {
            let end = start + storage.length(row: row, column: column)
            result.append(buffer[start..<end])
            start = end
        }
        return result
    }

    /// The text of the column named `name` in every row, where a row whose bytes equal one of the last
    /// `recent` distinct values of the column gets that value's `String` (shared: no allocation, no
    /// second decode): for columns whose values repeat, such as the stream names of consecutive events
    /// or event types. NULL is an error, as for `decode(String.self)`.
    public func strings(column name: String, reusingRecent recent: Int) throws -> [String] {
        let column = try columnIndex(name)
        try requireNoNulls(column, as: String.self)
        var result: [String] = []
        result.reserveCapacity(storage.rowCount)
        // The recent distinct values and a row each came from; a value found moves one place up, a new
        // one goes first.
        var seen: [(row: Int, length: Int, text: String)] = []
        seen.reserveCapacity(recent + 1)
        rows: for row in 0..<storage.rowCount {
            let length = storage.length(row: row, column: column)
            for index in seen.indices
            where seen[index].length == length
                && storage.cell(row, equals: seen[index].row, column: column, length: length)
            {
                result.append(seen[index].text)
                if index > 0 { seen.swapAt(index, index - 1) }
                continue rows
            }
            let text = try storage.withCell(row: row, column: column) { try String.decode(fromTextSpan: $0) }
            result.append(text)
            guard recent > 0 else { continue }
            seen.insert((row, length, text), at: 0)
            if seen.count > recent { seen.removeLast() }
        }
        return result
    }
}
