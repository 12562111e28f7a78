import Foundation
import Testing

@testable import HybridSearch

/// Regression tests for faults found in review.
@Suite("Review findings: search engine")
struct SearchReviewFindingsTests {
    @Test("TimeWindow(seconds:) with a negative or NaN length gives an empty-width window at now, never a trap")
    func negativeWindowDoesNotTrap() {
        let now = Date(timeIntervalSince1970: 1_000)
        for seconds in [-1.0, -.infinity, .nan] {
            let bounds = TimeWindow(seconds: seconds).bounds(now: now)
            #expect(bounds == 1_000...1_000, "\(seconds)")
        }
        #expect(TimeWindow(seconds: 60).bounds(now: now) == 940...1_000)
    }
}
