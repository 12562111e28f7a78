/// Splits code identifiers into their parts so that a query for `user` finds `getUserById`.
///
/// snake_case and kebab-case split at the separators; camelCase and PascalCase split before an
/// upper-case letter that follows a lower-case one, and before the last capital of an acronym
/// (`HTTPResponse` -> `HTTP`, `Response`); digits form their own part.
public func splitIdentifier(_ word: String) -> [String] {
    var parts: [String] = []
    var current = ""
    let chars = Array(word)
    for (i, c) in chars.enumerated() {
        if c == "_" || c == "-" {
            if !current.isEmpty { parts.append(current); current = "" }
            continue
        }
        if let prev = current.last {
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            let lowerToUpper = prev.isLowercase && c.isUppercase
            let acronymEnd = prev.isUppercase && c.isUppercase && (next?.isLowercase ?? false)
            let digitEdge = prev.isNumber != c.isNumber
            if lowerToUpper || acronymEnd || digitEdge {
                parts.append(current); current = ""
            }
        }
        current.append(c)
    }
    if !current.isEmpty { parts.append(current) }
    return parts.map { $0.lowercased() }
}
