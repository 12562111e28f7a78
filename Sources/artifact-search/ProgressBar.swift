import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress bar on standard error — count, rate and time left — drawn only when
/// standard error is a terminal, at most ten times a second:
///
///     [██████████░░░░░░░░░░]  1,234/4,058 files  312 files/s  ETA 9s
final class ProgressBar {
    let total: Int
    let unit: String
    private let isEnabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(total: Int, unit: String = "files", isEnabled: Bool = ProgressBar.standardErrorIsTerminal) {
        self.total = total
        self.unit = unit
        self.isEnabled = isEnabled && total > 0
    }

    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Shows `done` of ``total`` (throttled unless `force`).
    func update(done: Int, force: Bool = false) {
        guard isEnabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : nil
        let width = 24
        let filled = total > 0 ? min(width, width * done / total) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        var line = "[\(bar)]  \(Self.grouped(done))/\(Self.grouped(total)) \(unit)"
        line += "  \(Self.grouped(Int(rate.rounded()))) \(unit)/s"
        if let remaining, done < total { line += "  ETA \(Self.duration(remaining))" }
        write("\r\u{1B}[2K" + line)
        drawn = true
    }

    /// Removes the bar from the terminal.
    func finish() {
        guard isEnabled, drawn else { return }
        write("\r\u{1B}[2K")
        drawn = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// `75` → `1m15s`, `9.2` → `9s`, `4000` → `1h06m`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3_600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3_600)h\(String(format: "%02d", (total % 3_600) / 60))m"
    }
}
