#if canImport(CMalloc)
    import CMalloc
#endif

/// How a process that rebuilds projections sets up the C allocator (`stipple rebuild`, the bench's rebuild).
///
/// A rebuild allocates and frees buffers of a few hundred KiB to a few MiB all the time: each page of the
/// log libpq returns, the COPY text of a batch's rows, the states written back in chunks. glibc gives an
/// allocation of 128 KiB or more pages of its own (returned to the system when freed) only until the first
/// such block is freed: then it raises that threshold to the freed block's size (up to 32 MiB), so from
/// then on these buffers come out of the heap arenas, and what they leave behind stays in the process.
/// Fixing the threshold at 128 KiB turns that adjustment off. Measured at 1M events (master key, one
/// process per run, alternating): peak RSS 253 and 262 MiB before, 219 and 218 MiB after, client CPU the
/// same within the machine's noise (66.4 / 64.5 s before, 60.8 / 67.3 s after, user + system); see
/// docs/benchmarks.md. Not set for the server, whose allocation pattern was not measured.
public enum RebuildMemory {
    /// Allocations of at least this many bytes get pages of their own.
    public static let mappedThreshold: Int32 = 128 * 1024

    /// Sets the allocator up for a rebuild; call once, early, in a process that rebuilds. Returns whether
    /// the allocator took the setting (false on a C library without `mallopt`).
    @discardableResult
    public static func configureProcess() -> Bool {
        #if canImport(CMalloc)
            return mallopt(M_MMAP_THRESHOLD, mappedThreshold) == 1
        #else
            return false
        #endif
    }
}
