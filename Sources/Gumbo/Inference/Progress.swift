import Foundation

/// Progress of a long run: on a terminal, one line rewritten in place
/// (step, ELBO, steps per second, time left); otherwise a plain line every
/// so often; nothing when quiet. Writes to standard error, so standard
/// output stays clean for `--json`.
public struct ProgressReporter: Sendable {
    public enum Mode: Sendable {
        case quiet
        /// Rewrite one line with a carriage return.
        case terminal
        /// A line at most every `interval` seconds.
        case log(interval: Double)
    }

    public let mode: Mode
    public let totalSteps: Int
    /// The step the run starts from (a resumed run's restored step), so
    /// the rate counts only the steps taken since.
    public let startStep: Int
    private let start: Double
    private var lastPrinted: Double

    /// Chooses `.terminal` when standard error is a terminal, else `.log`.
    public static func automatic(totalSteps: Int, quiet: Bool, startStep: Int = 0) -> ProgressReporter {
        let mode: Mode = quiet ? .quiet : (isatty(STDERR_FILENO) != 0 ? .terminal : .log(interval: 10))
        return ProgressReporter(mode: mode, totalSteps: totalSteps, startStep: startStep)
    }

    public init(mode: Mode, totalSteps: Int, startStep: Int = 0) {
        self.mode = mode
        self.totalSteps = totalSteps
        self.startStep = startStep
        start = Self.now()
        lastPrinted = -Double.infinity
    }

    /// The text of a progress line (without line ending).
    public static func line(step: Int, totalSteps: Int, objective: Double, label: String, elapsed: Double,
                            startStep: Int = 0) -> String {
        let rate = elapsed > 0 ? Double(step - startStep) / elapsed : 0
        let remaining = rate > 0 ? Double(totalSteps - step) / rate : 0
        return String(format: "step %d/%d  %@ %.4f  %.0f steps/s  ETA %@",
                      step, totalSteps, label, objective, rate, formatDuration(remaining))
    }

    /// Reports a step; prints according to the mode.
    public mutating func report(step: Int, objective: Double, label: String = "loss") {
        let now = Self.now()
        switch mode {
        case .quiet:
            return
        case .terminal:
            guard now - lastPrinted >= 0.1 || step == totalSteps else { return }
            lastPrinted = now
            let text = Self.line(step: step, totalSteps: totalSteps, objective: objective, label: label, elapsed: now - start, startStep: startStep)
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + (step == totalSteps ? "\n" : "")).utf8))
        case .log(let interval):
            guard now - lastPrinted >= interval || step == totalSteps else { return }
            lastPrinted = now
            let text = Self.line(step: step, totalSteps: totalSteps, objective: objective, label: label, elapsed: now - start, startStep: startStep)
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    static func formatDuration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : (s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s")
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
