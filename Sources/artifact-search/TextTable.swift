/// A table of aligned columns for terminal output, with an optional indented detail line
/// under each row (e.g. a search snippet).
///
/// Columns are as wide as their widest cell, capped by ``Column/maxWidth`` (longer cells are
/// cut with `…`, at the start for paths so the file name stays visible). Two spaces separate
/// columns; trailing spaces are trimmed. Control characters in cells and details are shown
/// escaped (``TerminalText``), so they can neither break the layout nor drive the terminal.
struct TextTable {
    struct Column {
        enum Alignment { case left, right }
        enum Truncation { case tail, head }

        var title: String
        var alignment: Alignment = .left
        var maxWidth: Int = 60
        var truncation: Truncation = .tail
    }

    var columns: [Column]
    private var rows: [(cells: [String], detail: String?)] = []

    init(columns: [Column]) {
        self.columns = columns
    }

    mutating func append(_ cells: [String], detail: String? = nil) {
        precondition(cells.count == columns.count, "a row needs one cell per column")
        rows.append((cells, detail))
    }

    var isEmpty: Bool { rows.isEmpty }

    /// The table as lines of text (header first), without a final newline.
    func render() -> String {
        let fitted = rows.map { row in
            row.cells.enumerated().map { index, cell in Self.fit(cell, in: columns[index]) }
        }
        let widths = columns.indices.map { index in
            max(columns[index].title.count, fitted.map { $0[index].count }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (index, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
                parts.append(columns[index].alignment == .right ? padding + cell : cell + padding)
            }
            return Self.trimmingTrailingSpaces(parts.joined(separator: "  "))
        }
        var lines = [line(columns.map(\.title))]
        let indent = String(repeating: " ", count: (widths.first ?? 0) + 2)
        for (index, cells) in fitted.enumerated() {
            lines.append(line(cells))
            if let detail = rows[index].detail, !detail.isEmpty { lines.append(indent + TerminalText.escaped(detail)) }
        }
        return lines.joined(separator: "\n")
    }

    /// A cell, its control characters escaped, cut to its column's width with `…`.
    static func fit(_ cell: String, in column: Column) -> String {
        let flat = TerminalText.escaped(cell)
        guard flat.count > column.maxWidth, column.maxWidth >= 2 else { return flat }
        switch column.truncation {
        case .tail: return String(flat.prefix(column.maxWidth - 1)) + "…"
        case .head:
            // Cut paths at a separator so whole folder names remain: `…/runs/run-002/train.log`.
            let tail = flat.suffix(column.maxWidth - 1)
            if let slash = tail.firstIndex(of: "/"), tail.distance(from: slash, to: tail.endIndex) > 8 {
                return "…" + tail[slash...]
            }
            return "…" + tail
        }
    }

    private static func trimmingTrailingSpaces(_ text: String) -> String {
        var result = Substring(text)
        while result.last == " " { result = result.dropLast() }
        return String(result)
    }
}
