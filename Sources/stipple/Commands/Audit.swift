import ArgumentParser

/// `stipple audit`: tamper evidence (hash chain, seals), the access log and the retention review.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Verify and seal the hash chain over the log; list who read which client and who is past retention.",
        discussion: """
            Exit codes: 0 when the chain verifies, 2 when verification finds tampering (one line \
            per finding, the first bad position first), 1 on any other error.
            """,
        subcommands: [Verify.self, Seal.self, Access.self, Retention.self]
    )

    /// The exit code for "verification found tampering", distinct from errors (1).
    static let tamperedExitCode: Int32 = 2
}
