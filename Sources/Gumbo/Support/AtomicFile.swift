import Foundation

/// Writing a file so that a reader (or a run that is killed halfway) sees
/// the old contents or the new, never a torn mixture: the bytes go to a
/// temporary file in the same directory, are flushed to disk, and the
/// temporary file is renamed over the target (POSIX `rename` is atomic
/// within one file system).
enum AtomicFile {
    /// Writes `data` to `path` atomically; on failure, the reason, for the
    /// caller's own error type.
    static func write(_ data: Data, to path: String) -> Result<Void, AtomicFileFailure> {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).\(UUID().uuidString).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            return .failure(AtomicFileFailure(reason: "cannot create a temporary file in \(directory)"))
        }
        if let handle = FileHandle(forWritingAtPath: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            return .failure(AtomicFileFailure(reason: reason))
        }
        return .success(())
    }
}

/// Why ``AtomicFile/write(_:to:)`` failed, in words.
struct AtomicFileFailure: Error {
    let reason: String
}
