import Foundation

/// A JSON value, written compactly on one line with keys in insertion
/// order, for `--json` output that scripts read. Non-finite numbers become
/// `null` (JSON has no NaN or infinity).
public enum JSONValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    /// A number, or `null` when absent.
    public static func number(_ value: Double?) -> JSONValue {
        value.map { JSONValue.number($0) } ?? .null
    }

    /// An array of numbers.
    public static func numbers(_ values: [Double]) -> JSONValue {
        .array(values.map { .number($0) })
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        a.text == b.text
    }

    /// The compact text.
    public var text: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .null:
            output += "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .number(let value):
            if !value.isFinite {
                output += "null"
            } else if value == value.rounded(), abs(value) < 1e15 {
                output += String(Int64(value))
            } else {
                output += "\(value)"
            }
        case .string(let value):
            output += "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n": output += "\\n"
                case "\r": output += "\\r"
                case "\t": output += "\\t"
                default:
                    if scalar.value < 0x20 {
                        output += String(format: "\\u%04x", scalar.value)
                    } else {
                        output.unicodeScalars.append(scalar)
                    }
                }
            }
            output += "\""
        case .array(let elements):
            output += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { output += "," }
                JSONValue.string(key).write(to: &output)
                output += ":"
                value.write(to: &output)
            }
            output += "}"
        }
    }
}
