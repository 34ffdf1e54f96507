/// A small command-line parser: `--name value` options (repeatable),
/// `--flag` switches and positional arguments, with one-line errors.
struct Arguments {
    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var positional: [String] = []
    private var options: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Parses `arguments` given the option names that take a value and the
    /// flag names; anything else starting with `--` is an error.
    init(_ arguments: [String], options valued: Set<String>, flags known: Set<String>) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                var name = String(argument.dropFirst(2))
                var inlineValue: String?
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                if valued.contains(name) {
                    if let inlineValue {
                        options[name, default: []].append(inlineValue)
                    } else {
                        index += 1
                        guard index < arguments.count else { throw UsageError(description: "--\(name) needs a value") }
                        options[name, default: []].append(arguments[index])
                    }
                } else if known.contains(name), inlineValue == nil {
                    flags.insert(name)
                } else {
                    throw UsageError(description: "unknown option --\(name)")
                }
            } else {
                positional.append(argument)
            }
            index += 1
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func values(_ name: String) -> [String] { options[name] ?? [] }

    func string(_ name: String) -> String? { options[name]?.last }

    func integer(_ name: String, default value: Int, range: ClosedRange<Int> = 1...Int.max) throws -> Int {
        guard let text = string(name) else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw UsageError(description: "--\(name) must be a whole number in \(range.lowerBound)…\(range.upperBound == Int.max ? "" : String(range.upperBound)), got '\(text)'")
        }
        return parsed
    }

    func double(_ name: String, default value: Double, where valid: (Double) -> Bool = { $0.isFinite }, rule: String = "a finite number") throws -> Double {
        guard let text = string(name) else { return value }
        guard let parsed = Double(text), valid(parsed) else {
            throw UsageError(description: "--\(name) must be \(rule), got '\(text)'")
        }
        return parsed
    }

    func seed(default value: UInt64 = 0) throws -> UInt64 {
        guard let text = string("seed") else { return value }
        guard let parsed = UInt64(text) else {
            throw UsageError(description: "--seed must be a non-negative whole number, got '\(text)'")
        }
        return parsed
    }
}
