import Foundation

/// Writing to standard error (standard output goes through `print`).
enum CommandOutput {
    /// Writes one line to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
