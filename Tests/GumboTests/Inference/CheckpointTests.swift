import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Checkpoints")
struct CheckpointTests {
    struct Sample: Codable, Equatable {
        var version = Checkpoint.version
        var values: [Double]
        var name: String
    }

    /// A path in a directory of its own per test, so one test's temporary
    /// file never shows up in another's directory listing.
    func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gumbo-checkpoint-tests-\(getpid())-\(name)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test("write then read returns the same value, doubles bit for bit")
    func roundTrip() throws {
        let path = temporaryPath("round-trip.json")
        let value = Sample(values: [0.1, 1.0 / 3.0, -2.5e-300, 123456789.123456789, .pi], name: "w")
        try Checkpoint.write(value, to: path)
        let read = try Checkpoint.read(Sample.self, from: path)
        #expect(read == value)
        #expect(read.values.map(\.bitPattern) == value.values.map(\.bitPattern))
    }

    @Test("an overwrite leaves no temporary file behind")
    func atomicReplace() throws {
        let path = temporaryPath("replace.json")
        try Checkpoint.write(Sample(values: [1], name: "a"), to: path)
        try Checkpoint.write(Sample(values: [2], name: "b"), to: path)
        #expect(try Checkpoint.read(Sample.self, from: path).name == "b")
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("missing, malformed, truncated and future-version files are clear errors")
    func failures() throws {
        #expect(throws: Checkpoint.Failure.unreadable(path: "/nonexistent/x.json", reason: "no such file")) {
            _ = try Checkpoint.read(Sample.self, from: "/nonexistent/x.json")
        }
        let garbage = temporaryPath("garbage.json")
        try Data("not json".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: Checkpoint.Failure.malformed(path: garbage, reason: "no version field")) {
            _ = try Checkpoint.read(Sample.self, from: garbage)
        }
        let truncated = temporaryPath("truncated.json")
        try Data(#"{"version": 1, "values": [1, 2"#.utf8).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: Checkpoint.Failure.self) { _ = try Checkpoint.read(Sample.self, from: truncated) }
        let missingField = temporaryPath("missing.json")
        try Data(#"{"version": 1, "values": [1, 2]}"#.utf8).write(to: URL(fileURLWithPath: missingField))
        #expect(throws: Checkpoint.Failure.malformed(path: missingField, reason: "missing field 'name'")) {
            _ = try Checkpoint.read(Sample.self, from: missingField)
        }
        let future = temporaryPath("future.json")
        try Data(#"{"version": 99}"#.utf8).write(to: URL(fileURLWithPath: future))
        #expect(throws: Checkpoint.Failure.wrongVersion(path: future, found: 99)) {
            _ = try Checkpoint.read(Sample.self, from: future)
        }
    }
}
