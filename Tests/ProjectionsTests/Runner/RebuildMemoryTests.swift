import Projections
import Testing

#if canImport(CMalloc)
    import CMalloc
#endif

@Suite("The allocator setup of a rebuilding process")
struct RebuildMemoryTests {
    #if canImport(CMalloc)
        @Test("glibc takes the fixed threshold: a large block freed does not raise it, so the next one is mapped again")
        func fixedThreshold() {
            #expect(RebuildMemory.configureProcess())
            // A 24 MiB buffer is allocated and freed, then another: with the threshold fixed, the second gets pages of
            // its own too (`mallinfo2().hblks` counts mapped blocks while they live); with glibc's adjustment (up to
            // 32 MiB) it would come from the heap. (A size no other test frees, so no free heap space of that size
            // is waiting.) Other tests allocate meanwhile, so a few tries; one clean one is enough.
            let size = 24 << 20
            var mapped = false
            for _ in 0..<5 where !mapped {
                withExtendedLifetime([UInt8](repeating: 1, count: size)) {}
                let before = mallinfo2().hblks
                withExtendedLifetime([UInt8](repeating: 2, count: size)) { mapped = mallinfo2().hblks == before + 1 }
            }
            #expect(mapped, "a 24 MiB buffer allocated after another was freed has pages of its own")
        }
    #endif
}
