import Foundation
import GumboCommands

/// What one `gumbo` invocation did: its exit code, standard output and
/// standard error.
struct Invocation {
    let status: Int32
    let output: String
    let error: String

    /// The last line of standard output parsed as a JSON object.
    func json() throws -> [String: Any] {
        guard let line = output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw FixtureError(description: "the last line of output is not a JSON object: \(output.suffix(300))")
        }
        return object
    }

    /// Standard error is one line ending in a newline.
    var errorIsOneLine: Bool {
        error.hasSuffix("\n") && error.dropLast().split(separator: "\n", omittingEmptySubsequences: false).count == 1
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `gumbo` with `arguments` in process, capturing what it writes.
func gumbo(_ arguments: String...) -> Invocation {
    gumbo(arguments)
}

func gumbo(_ arguments: [String]) -> Invocation {
    let console = Console.capturing()
    let status = GumboCommandLine.run(arguments, console: console)
    return Invocation(status: status, output: console.output, error: console.error)
}

/// A number field of a JSON object.
func number(_ object: [String: Any], _ key: String) -> Double? {
    (object[key] as? NSNumber)?.doubleValue
}

/// `count` random 8×8 binary images as CSV, one image per line, from a
/// small SplitMix-like generator (the content only needs to be fixed).
func csvImages(count: Int, seed: UInt64) -> String {
    var state = seed
    func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    return (0..<count).map { _ in (0..<64).map { _ in next() % 3 == 0 ? "1" : "0" }.joined(separator: ",") }
        .joined(separator: "\n") + "\n"
}
