import Foundation

/// Human sizes in binary units: `512 B`, `1.2 KiB`, `34 MiB`, `2.0 GiB`.
enum SizeFormatter {
    static func string(for bytes: Int?) -> String {
        guard let bytes else { return "—" }
        if bytes < 1024 { return "\(bytes) B" }
        var value = Double(bytes)
        for unit in ["KiB", "MiB", "GiB", "TiB"] {
            value /= 1024
            if value < 1024 || unit == "TiB" {
                return value < 10 ? String(format: "%.1f", value) + " " + unit : "\(Int(value.rounded())) \(unit)"
            }
        }
        return "\(bytes) B"
    }
}
