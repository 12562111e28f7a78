/// A user error found while running a command (exit status 1): the message says what was
/// wrong and what to do, on one line.
struct CommandLineError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
