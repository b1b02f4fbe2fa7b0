extension Collection {
    /// The collection in consecutive pieces of `size` elements (the last one shorter): the keys or rows a
    /// statement takes at a time (`FoldingBuilderDefaults.chunk`), or the rows staged at a time (`SumStage`).
    func chunks(of size: Int) -> [SubSequence] {
        let size = Swift.max(1, size)
        var pieces: [SubSequence] = []
        var start = startIndex
        while start != endIndex {
            let end = index(start, offsetBy: size, limitedBy: endIndex) ?? endIndex
            pieces.append(self[start..<end])
            start = end
        }
        return pieces
    }
}
