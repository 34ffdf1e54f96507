import Foundation

/// Reading a data file's bytes, with the errors every reader shares.
enum DataFile {
    /// The gzip magic bytes, 1f 8b (RFC 1952, section 2.3.1).
    static let gzipMagic: [UInt8] = [0x1F, 0x8B]

    /// The whole file at `path`.
    /// - Throws: ``DataSetError/missingFile(path:)`` or
    ///   ``DataSetError/unreadable(path:reason:)``. An empty file is returned
    ///   as it is; each reader says what empty means for it.
    static func bytes(at path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataSetError.missingFile(path: path)
        }
        if isDirectory.boolValue {
            throw DataSetError.unreadable(path: path, reason: "it is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.isReadableFile(atPath: path) ? "an input/output error" : "permission denied"
            throw DataSetError.unreadable(path: path, reason: reason)
        }
        return [UInt8](data)
    }

    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: gzipMagic)
    }
}
