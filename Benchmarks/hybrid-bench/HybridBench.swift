import ArgumentParser

@main
struct HybridBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hybrid-bench",
        abstract: "Benchmarks of the HybridSearch engine (release builds only).",
        subcommands: [Sweep.self, Kernels.self, Scale.self, Embed.self])
}
