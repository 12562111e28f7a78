import Foundation

/// `map` in parallel slices — one per core, at least eight elements each — for the CPU-heavy
/// part of saving and re-indexing (reading text, embedding, analysis). Results keep the
/// elements' order.
enum ParallelSlices {
    /// - Parameter width: the most slices at once (default: the cores); more when each element
    ///   mostly waits (a remote read).
    static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], width: Int = ProcessInfo.processInfo.activeProcessorCount,
        _ transform: @escaping @Sendable (Element) async throws -> Result
    ) async throws -> [Result] {
        let slices = max(1, min(width, elements.count / 8))
        let size = (elements.count + slices - 1) / slices
        return try await withThrowingTaskGroup(of: (Int, [Result]).self) { group in
            for slice in 0..<slices {
                let part = Array(elements[min(slice * size, elements.count)..<min((slice + 1) * size, elements.count)])
                group.addTask {
                    var results: [Result] = []
                    results.reserveCapacity(part.count)
                    for element in part { results.append(try await transform(element)) }
                    return (slice, results)
                }
            }
            var parts = [[Result]](repeating: [], count: slices)
            for try await (slice, results) in group { parts[slice] = results }
            return parts.flatMap { $0 }
        }
    }
}
