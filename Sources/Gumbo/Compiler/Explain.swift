/// The `explain` view of a compiled model: each site, its estimator with
/// its settings, and the reason it was chosen, as a readable table.
extension CompiledModel {
    public func explain() -> String {
        var lines = ["model \(model.name), guide \(guideIsAutomatic ? "automatic mean-field" : guide.name)"]
        let header = ["site", "distribution", "plates", "estimator", "reason"]
        var rows: [[String]] = []
        for choice in estimators {
            let plates = choice.plates.isEmpty ? "-" : choice.plates.joined(separator: ", ")
            let reason = choice.isOverride ? "override: \(choice.reason)" : choice.reason
            rows.append([choice.site, choice.family.name, plates, choice.estimator.description, reason])
        }
        let widths = (0..<header.count - 1).map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func format(_ row: [String]) -> String {
            var text = ""
            for (column, cell) in row.enumerated() {
                if column < widths.count {
                    text += cell + String(repeating: " ", count: widths[column] - cell.count) + "  "
                } else {
                    text += cell
                }
            }
            return text
        }
        lines.append(format(header))
        lines.append(format(header.enumerated().map { column, title in
            String(repeating: "-", count: column < widths.count ? widths[column] : title.count)
        }))
        lines += rows.map(format)
        return lines.joined(separator: "\n")
    }
}
