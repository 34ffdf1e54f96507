/// The file formats binary images are read from, and how a file's format is
/// recognised.
public enum DataSetFormat: String, Sendable, Hashable, CaseIterable {
    /// The IDX format of MNIST, read by ``IDXReader``.
    case idx
    /// One image per line, read by ``CSVImageReader``.
    case csv

    /// The format of the file at `path` whose contents are `bytes`.
    ///
    /// The first bytes decide when they can: gzip's 1f 8b is an error
    /// (decompress the file first), and IDX's 00 00 08 is IDX. Otherwise the
    /// name decides: `.idx`, `.idx1`…`.idx3` or a name ending in `ubyte`
    /// (`train-images-idx3-ubyte`, `t10k-images.idx3-ubyte`) is IDX, and
    /// `.csv` or `.txt` is CSV.
    /// - Throws: ``DataSetError/gzipCompressed(path:)`` or
    ///   ``DataSetError/unknownFormat(path:)``.
    public static func detect(path: String, bytes: [UInt8]) throws -> DataSetFormat {
        if DataFile.isGzip(bytes) { throw DataSetError.gzipCompressed(path: path) }
        if bytes.starts(with: [0x00, 0x00, 0x08]) { return .idx }
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        if name.hasSuffix("ubyte") || ["idx", "idx1", "idx2", "idx3"].contains(where: { name.hasSuffix("." + $0) }) {
            return .idx
        }
        if name.hasSuffix(".csv") || name.hasSuffix(".txt") { return .csv }
        throw DataSetError.unknownFormat(path: path)
    }
}
