import Foundation

/// Writing and reading run state as versioned JSON, atomically.
///
/// A checkpoint is written to a temporary file in the same directory,
/// flushed to disk, and renamed over the destination (POSIX `rename` is
/// atomic), so a reader sees the old file or the new one, never a torn one.
public enum Checkpoint {
    /// The format version this build writes and reads.
    public static let version = 1

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unreadable(path: String, reason: String)
        case malformed(path: String, reason: String)
        case wrongVersion(path: String, found: Int)
        case mismatch(path: String, reason: String)
        case unwritable(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason):
                return "checkpoint \(path): cannot be read (\(reason))"
            case .malformed(let path, let reason):
                return "checkpoint \(path): not a Gumbo checkpoint (\(reason)); was it written by Gumbo, and completely?"
            case .wrongVersion(let path, let found):
                return "checkpoint \(path): format version \(found), but this build reads version \(Checkpoint.version)"
            case .mismatch(let path, let reason):
                return "checkpoint \(path): does not belong to this run (\(reason)); resume with the same model, guide, estimators and settings"
            case .unwritable(let path, let reason):
                return "checkpoint \(path): cannot be written (\(reason))"
            }
        }
    }

    /// Encodes `value` as JSON and writes it atomically to `path`.
    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw Failure.unwritable(path: path, reason: "\(error)")
        }
        if case .failure(let failure) = AtomicFile.write(data, to: path) {
            throw Failure.unwritable(path: path, reason: failure.reason)
        }
    }

    /// Reads and decodes a checkpoint, checking its version first.
    public static func read<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        let header: CheckpointHeader
        do {
            header = try JSONDecoder().decode(CheckpointHeader.self, from: data)
        } catch {
            throw Failure.malformed(path: path, reason: "no version field")
        }
        guard header.version == version else {
            throw Failure.wrongVersion(path: path, found: header.version)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw Failure.malformed(path: path, reason: Self.describe(error))
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let context):
            return "corrupted data at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: return "\(error)"
        }
    }
}

/// The one field every checkpoint version has.
private struct CheckpointHeader: Decodable {
    let version: Int
}
