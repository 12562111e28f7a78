import ArgumentParser
import ArtifactSearch
import Foundation
import HybridSearch

/// A `key=value` label from the command line. The value is read as JSON when it parses
/// (`5` → number, `true` → boolean, `"5"` → string, `[1,2]` → array), else taken as a
/// plain string (`draft` → `"draft"`).
struct LabelAssignment: Hashable {
    static let help = """
        Label key=value (repeatable). The value is JSON if it parses (5 → number, true → \
        boolean, '"5"' → string), else a plain string.
        """

    var key: String
    var value: JSONValue

    /// Parses `key=value` (split at the first `=`).
    /// - Throws: `ValidationError` when there is no `=` or the key is empty.
    init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ValidationError(
                "\"\(text)\" is not key=value: write the label as key=value, e.g. --label stage=eval")
        }
        key = String(text[..<equals])
        let raw = String(text[text.index(after: equals)...])
        if JSONTextCheck.firstProblem(in: Data(raw.utf8)) == nil,
            let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(raw.utf8))
        {
            value = parsed
        } else {
            value = .string(raw)
        }
    }

    /// Labels as a dictionary (a repeated key keeps its last value).
    static func dictionary(_ assignments: [LabelAssignment]) -> [String: JSONValue] {
        var labels: [String: JSONValue] = [:]
        for assignment in assignments { labels[assignment.key] = assignment.value }
        return labels
    }
}
