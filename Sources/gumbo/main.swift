import Foundation
import Gumbo

/// `gumbo`: Gumbo's command-line tool.
let usage = """
usage: gumbo <command> [options]

commands:
  gumbel-max   sample argmax(logits + Gumbel noise) and test it against softmax(logits)

Run 'gumbo <command> --help' for a command's options.
"""

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print(usage)
    exit(0)
}
let rest = Array(arguments.dropFirst())
do {
    switch command {
    case "gumbel-max":
        exit(try GumbelMaxCommand.run(rest))
    case "--help", "-h", "help":
        print(usage)
        exit(0)
    default:
        FileHandle.standardError.write(Data("gumbo: unknown command '\(command)'; run 'gumbo --help'\n".utf8))
        exit(2)
    }
} catch let error as Arguments.UsageError {
    FileHandle.standardError.write(Data("gumbo \(command): \(error.description)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("gumbo \(command): \(error)\n".utf8))
    exit(1)
}
