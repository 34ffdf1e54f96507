import Foundation

/// Where a command writes: standard output for results (the `--json` line
/// last), standard error for notes and errors. ``standard`` writes through;
/// ``capturing()`` keeps the text, for tests.
///
/// A class because a command and its caller share one console. Progress
/// lines (``Gumbo/ProgressReporter``) go to the process's standard error
/// directly, not through the console.
public final class Console {
    private let captures: Bool
    /// Everything written to standard output (when capturing).
    public private(set) var output = ""
    /// Everything written to standard error (when capturing).
    public private(set) var error = ""

    private init(captures: Bool) {
        self.captures = captures
    }

    /// The process's standard output and error.
    public static func standard() -> Console { Console(captures: false) }

    /// A console that keeps what is written in ``output`` and ``error``.
    public static func capturing() -> Console { Console(captures: true) }

    /// Writes `text` and a line end to standard output.
    public func print(_ text: String = "") {
        if captures {
            output += text + "\n"
        } else {
            Swift.print(text)
        }
    }

    /// Writes `text` and a line end to standard error.
    public func note(_ text: String) {
        if captures {
            error += text + "\n"
        } else {
            fflush(nil)  // keep the order of output and notes when both go to one terminal
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    /// The lines written to standard output.
    public var outputLines: [String] {
        output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}
