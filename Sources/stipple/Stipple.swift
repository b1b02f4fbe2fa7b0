import ArgumentParser

@main
struct Stipple: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stipple",
        abstract: "Stipple: an event-sourced clinic backend for scalp micropigmentation studios.",
        subcommands: []
    )
}
