import ArgumentParser

@main
struct Stipple: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stipple",
        abstract: "Stipple: an event-sourced clinic backend for scalp micropigmentation studios.",
        discussion: "Point it at PostgreSQL with STIPPLE_DATABASE_URL or --database-url.",
        subcommands: [
            Migrate.self,
            Status.self,
            Demo.self,
            Project.self,
            Rebuild.self,
            Timeline.self,
            Photos.self,
            Report.self,
            Audit.self,
            Generate.self,
            Export.self,
            Import.self,
            Tail.self,
            Recall.self,
            Schedule.self,
            Forecast.self,
            Serve.self,
            Keys.self,
            Forget.self,
            Settings.self,
        ]
    )
}
