import Foundation

/// Short relative ages for terminal output: `just now`, `42s ago`, `3m ago`, `5h ago`,
/// `2d ago`, `3w ago`; older than a year (or in the future beyond a minute), the date
/// `2024-03-12`.
enum AgeFormatter {
    static func string(for date: Date?, now: Date = Date()) -> String {
        guard let date else { return "—" }
        let seconds = now.timeIntervalSince(date)
        switch seconds {
        case ..<(-60): return day(of: date)
        case ..<5: return "just now"
        case ..<60: return "\(Int(seconds))s ago"
        case ..<3_600: return "\(Int(seconds / 60))m ago"
        case ..<86_400: return "\(Int(seconds / 3_600))h ago"
        case ..<(86_400 * 14): return "\(Int(seconds / 86_400))d ago"
        case ..<(86_400 * 365): return "\(Int(seconds / (86_400 * 7)))w ago"
        default: return day(of: date)
        }
    }

    private static func day(of date: Date) -> String {
        date.formatted(.iso8601.year().month().day())
    }
}
