import ArgumentParser

/// `counter-bench`: the repository's benchmarks. Figures go to docs/performance.md with the command that made them.
@main
struct CounterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counter-bench",
        abstract: "Benchmarks of counterd, reported as ratios to a baseline measured in the same run.",
        subcommands: [RedeemBenchmark.self, SyncBenchmark.self, PrintBenchmark.self, ScanBenchmark.self, FootprintBenchmark.self, FleetBenchmark.self, HoldingsBenchmark.self,
                      SeedHub.self])
}
