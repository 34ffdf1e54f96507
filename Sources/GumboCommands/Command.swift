import Foundation

/// A subcommand of `gumbo`: `gumbo <name> [arguments]`.
///
/// `run` parses its own arguments with ``Arguments`` (which throws
/// ``Arguments/UsageError`` for an unknown option or a bad value: exit code
/// 2) and writes through the ``Console``. Any other error it throws is a
/// failure of the work itself (a malformed data file, a diverging run):
/// exit code 1.
protocol Command {
    /// The name on the command line.
    static var name: String { get }
    /// One line for `gumbo --help`.
    static var summary: String { get }
    /// The text of `gumbo <name> --help`.
    static var help: String { get }
    static func run(_ arguments: [String], console: Console) throws
}

/// The `gumbo` command line: finds the subcommand and turns errors into
/// one-line messages and exit codes.
///
///     let console = Console.capturing()
///     let status = GumboCommandLine.run(["run", "sprinkler", "--steps", "10", "--json"], console: console)
///     // status 0; console.outputLines.last is the JSON object
public enum GumboCommandLine {
    /// The subcommands in `--help` order.
    static var commands: [any Command.Type] {
        [ListCommand.self, RunCommand.self, CompareCommand.self, ExplainCommand.self, VarianceCommand.self, GumbelMaxCommand.self]
    }

    static var usage: String {
        let width = commands.map { $0.name.count }.max() ?? 0
        let lines = commands.map { "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.summary }
        return """
        usage: gumbo <command> [options]

        commands:
        \(lines.joined(separator: "\n"))

        Run 'gumbo <command> --help' for a command's options.
        """
    }

    /// Runs `arguments` (without the program name); returns the exit code:
    /// 0 on success, 1 when the work fails, 2 for a usage error.
    public static func run(_ arguments: [String], console: Console) -> Int32 {
        guard let name = arguments.first else {
            console.print(usage)
            return 0
        }
        if ["--help", "-h", "help"].contains(name) {
            console.print(usage)
            return 0
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            console.note("gumbo: unknown command '\(name)'; commands are \(commands.map { $0.name }.joined(separator: ", ")) (run 'gumbo --help')")
            return 2
        }
        do {
            try command.run(Array(arguments.dropFirst()), console: console)
            return 0
        } catch let error as Arguments.UsageError {
            console.note("gumbo \(name): \(oneLine(error.description))")
            return 2
        } catch {
            console.note("gumbo \(name): \(oneLine(String(describing: error)))")
            return 1
        }
    }

    /// Messages are one line, so scripts can read them.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
