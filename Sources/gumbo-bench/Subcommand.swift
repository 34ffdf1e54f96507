import Foundation

/// One `gumbo-bench` subcommand: a name, a line of help, its options' help,
/// and what it runs.
struct Subcommand: Sendable {
    let name: String
    let summary: String
    let usage: String
    let run: @Sendable (inout Options) throws -> Void

    /// Runs the subcommand named by `arguments[0]` and returns the exit status:
    /// 0 on success, 1 on a failure while running, 2 on a usage error.
    static func dispatch(_ arguments: [String], among subcommands: [Subcommand]) -> Int32 {
        guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
            print(overview(subcommands))
            return arguments.isEmpty ? 2 : 0
        }
        guard let subcommand = subcommands.first(where: { $0.name == name }) else {
            printError("gumbo-bench: unknown subcommand '\(name)'; run 'gumbo-bench --help' for the list")
            return 2
        }
        var options = Options(Array(arguments.dropFirst()), command: "gumbo-bench \(name)")
        if options.flag("--help") || options.flag("-h") {
            print(subcommand.usage)
            return 0
        }
        do {
            try subcommand.run(&options)
            return 0
        } catch let error as UsageError {
            printError(error.message)
            return 2
        } catch {
            printError("gumbo-bench \(name): \(error)")
            return 1
        }
    }

    static func overview(_ subcommands: [Subcommand]) -> String {
        var lines = ["usage: gumbo-bench <subcommand> [options]", "", "subcommands:"]
        for subcommand in subcommands {
            lines.append("  \(subcommand.name.padding(toLength: 8, withPad: " ", startingAt: 0))\(subcommand.summary)")
        }
        lines.append("")
        lines.append("Run 'gumbo-bench <subcommand> --help' for its options.")
        return lines.joined(separator: "\n")
    }
}

/// A command-line mistake; its message is printed as one line.
struct UsageError: Error {
    let message: String
}

/// The options after the subcommand name, consumed as the subcommand reads
/// them; ``finish()`` rejects whatever is left.
struct Options {
    private var remaining: [String]
    let command: String

    init(_ arguments: [String], command: String) {
        remaining = arguments
        self.command = command
    }

    /// Whether `name` was given (and consumes it).
    mutating func flag(_ name: String) -> Bool {
        guard let index = remaining.firstIndex(of: name) else { return false }
        remaining.remove(at: index)
        return true
    }

    /// The positive integer after `name`, or `defaultValue` when absent.
    mutating func integer(_ name: String, default defaultValue: Int) throws -> Int {
        guard let index = remaining.firstIndex(of: name) else { return defaultValue }
        guard index + 1 < remaining.count, let value = Int(remaining[index + 1]), value > 0 else {
            throw UsageError(message: "\(command): \(name) needs a positive integer")
        }
        remaining.removeSubrange(index...(index + 1))
        return value
    }

    /// The value after `name`, or `nil` when absent.
    mutating func string(_ name: String) -> String? {
        guard let index = remaining.firstIndex(of: name), index + 1 < remaining.count else { return nil }
        let value = remaining[index + 1]
        remaining.removeSubrange(index...(index + 1))
        return value
    }

    /// Throws on any argument no one consumed.
    func finish() throws {
        if let unknown = remaining.first {
            throw UsageError(message: "\(command): unknown option '\(unknown)'; run '\(command) --help' for the options")
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
