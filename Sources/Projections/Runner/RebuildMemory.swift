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
///
/// Fixing that threshold also fixes the trim threshold at its default, 128 KiB: whenever a free leaves more
/// than that at the top of a thread's arena, glibc hands the pages back (`madvise`), and the next batch faults
/// them in again. At 1M events that was ~5 % of the client's samples in `madvise` and its TLB shootdowns, and
/// ~3.7 % in page faults. `trimThreshold` keeps up to 32 MiB at an arena's top: the peak (what the rebuild
/// reaches anyway) stays, the churn goes.
public enum RebuildMemory {
    /// Allocations of at least this many bytes get pages of their own.
    public static let mappedThreshold: Int32 = 128 * 1024
    /// Free space at the top of an arena kept rather than handed back to the system.
    public static let trimThreshold: Int32 = 32 * 1024 * 1024

    /// Sets the allocator up for a rebuild; call once, early, in a process that rebuilds. Returns whether
    /// the allocator took the settings (false on a C library without `mallopt`).
    @discardableResult
    public static func configureProcess() -> Bool {
        #if canImport(CMalloc)
            let mapped = mallopt(M_MMAP_THRESHOLD, mappedThreshold) == 1
            return mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1 && mapped
        #else
            return false
        #endif
    }
}
