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

    @Test("write then read returns the same value, doubles bit for bit")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/round-trip.json"
        let value = Sample(values: [0.1, 1.0 / 3.0, -2.5e-300, 123456789.123456789, .pi], name: "w")
        try Checkpoint.write(value, to: path)
        let read = try Checkpoint.read(Sample.self, from: path)
        #expect(read == value)
        #expect(read.values.map(\.bitPattern) == value.values.map(\.bitPattern))
    }

    @Test("an overwrite leaves no temporary file behind")
    func atomicReplace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/replace.json"
        try Checkpoint.write(Sample(values: [1], name: "a"), to: path)
        try Checkpoint.write(Sample(values: [2], name: "b"), to: path)
        #expect(try Checkpoint.read(Sample.self, from: path).name == "b")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("missing, malformed, truncated and future-version files are clear errors")
    func failures() throws {
        let directory = try TemporaryDirectory()   // of its own, so no other test's file shows up in it
        defer { directory.remove() }
        #expect(throws: Checkpoint.Failure.unreadable(path: "/nonexistent/x.json", reason: "no such file")) {
            _ = try Checkpoint.read(Sample.self, from: "/nonexistent/x.json")
        }
        let garbage = directory.path + "/garbage.json"
        try Data("not json".utf8).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: Checkpoint.Failure.malformed(path: garbage, reason: "no version field")) {
            _ = try Checkpoint.read(Sample.self, from: garbage)
        }
        let truncated = directory.path + "/truncated.json"
        try Data(#"{"version": 1, "values": [1, 2"#.utf8).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: Checkpoint.Failure.self) { _ = try Checkpoint.read(Sample.self, from: truncated) }
        let missingField = directory.path + "/missing.json"
        try Data(#"{"version": 1, "values": [1, 2]}"#.utf8).write(to: URL(fileURLWithPath: missingField))
        #expect(throws: Checkpoint.Failure.malformed(path: missingField, reason: "missing field 'name'")) {
            _ = try Checkpoint.read(Sample.self, from: missingField)
        }
        let future = directory.path + "/future.json"
        try Data(#"{"version": 99}"#.utf8).write(to: URL(fileURLWithPath: future))
        #expect(throws: Checkpoint.Failure.wrongVersion(path: future, found: 99)) {
            _ = try Checkpoint.read(Sample.self, from: future)
        }
    }
}
