import Foundation
import GumboCommands

/// `gumbo`: Gumbo's command-line tool. The subcommands live in the
/// `GumboCommands` library, where the tests run them too.
exit(GumboCommandLine.run(Array(CommandLine.arguments.dropFirst()), console: .standard()))
