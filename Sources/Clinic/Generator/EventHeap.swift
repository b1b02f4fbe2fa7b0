import Foundation

/// A binary min-heap of scheduled simulation tasks ordered by time, then by insertion, so ties are deterministic.
struct EventHeap<Element> {
    private struct Entry {
        let time: Date
        let sequence: UInt64
        let element: Element
    }

    private var entries: [Entry] = []
    private var counter: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var nextTime: Date? { entries.first?.time }

    mutating func push(_ element: Element, at time: Date) {
        counter += 1
        entries.append(Entry(time: time, sequence: counter, element: element))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: Date, element: Element)? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, less(left, smallest) { smallest = left }
            if right < entries.count, less(right, smallest) { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.time, top.element)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (entries[a].time, entries[a].sequence) < (entries[b].time, entries[b].sequence)
    }
}
