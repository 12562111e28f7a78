import ArgumentParser

/// A `name=value` metric from the command line; the value must be a finite number.
struct MetricAssignment: Hashable {
    var name: String
    var value: Double

    /// Parses `name=value`.
    /// - Throws: `ValidationError` naming the accepted form.
    init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ValidationError(
                "\"\(text)\" is not name=number: write the metric as name=number, e.g. --metric accuracy=0.93")
        }
        name = String(text[..<equals])
        let raw = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard let number = Double(raw), number.isFinite else {
            throw ValidationError(
                "metric \"\(name)\" has value \"\(raw)\", not a finite number: use e.g. --metric \(name)=0.93")
        }
        value = number
    }

    /// Metrics as a dictionary (a repeated name keeps its last value).
    static func dictionary(_ assignments: [MetricAssignment]) -> [String: Double] {
        var metrics: [String: Double] = [:]
        for assignment in assignments { metrics[assignment.name] = assignment.value }
        return metrics
    }
}
