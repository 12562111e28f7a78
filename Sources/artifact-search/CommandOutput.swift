import Foundation

/// Writing to standard error (standard output goes through `print`).
enum CommandOutput {
    /// Writes one line to standard error, its control characters escaped (``TerminalText``).
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((TerminalText.escaped(line) + "\n").utf8))
    }
}
