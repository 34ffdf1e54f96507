/// Reads binary images from an IDX file, the format of MNIST.
///
/// An IDX image file (LeCun, Cortes & Burges, "The MNIST database of
/// handwritten digits") is a 16-byte header and then the pixels:
///
///     offset  type    value
///     0       UInt32  0x00000803: unsigned bytes (0x08), 3 dimensions (0x03)
///     4       UInt32  number of images
///     8       UInt32  rows per image
///     12      UInt32  columns per image
///     16      UInt8   pixels, row-major, image after image
///
/// with every `UInt32` big-endian. A pixel reads as 1 when it is above half
/// the largest byte value, `> 127.5`: 127 reads as 0 and 128 as 1. Images
/// keep their size (28×28 for MNIST). The file must hold exactly the bytes
/// the header promises; a gzip-compressed file (the form MNIST is
/// distributed in) must be decompressed first with `gunzip`.
///
///     let training = try IDXReader().read(path: "train-images-idx3-ubyte")
///     // 60000 images of 28×28
public struct IDXReader: Sendable, Hashable {
    /// The magic number of an unsigned-byte, three-dimensional IDX file.
    public static let imageMagic: UInt32 = 0x0000_0803
    /// The header's length in bytes: the magic number and three sizes.
    public static let headerLength = 16
    /// A pixel above this value reads as 1: half of 255.
    public static let threshold = 127.5

    public init() {}

    /// The images in the file at `path`.
    /// - Throws: ``DataSetError`` when the file is missing, empty,
    ///   gzip-compressed, has another magic number, a zero size, or fewer or
    ///   more bytes than its header promises.
    public func read(path: String) throws -> BinaryImages {
        try decode(DataFile.bytes(at: path), path: path)
    }

    /// The images in `bytes`, the contents of an IDX file; `path` names the
    /// file in error messages.
    public func decode(_ bytes: [UInt8], path: String) throws -> BinaryImages {
        guard !bytes.isEmpty else { throw DataSetError.emptyFile(path: path) }
        if DataFile.isGzip(bytes) { throw DataSetError.gzipCompressed(path: path) }
        let headerLength = IDXReader.headerLength
        guard bytes.count >= 4 else {
            throw DataSetError.truncated(path: path, expectedBytes: headerLength, actualBytes: bytes.count)
        }
        let magic = IDXReader.bigEndianWord(bytes, at: 0)
        guard magic == IDXReader.imageMagic else {
            throw DataSetError.wrongMagicNumber(path: path, found: magic)
        }
        guard bytes.count >= headerLength else {
            throw DataSetError.truncated(path: path, expectedBytes: headerLength, actualBytes: bytes.count)
        }
        var sizes: [Int] = []
        for (offset, name) in [(4, "images"), (8, "rows"), (12, "columns")] {
            let size = Int(IDXReader.bigEndianWord(bytes, at: offset))
            guard size > 0 else { throw DataSetError.zeroDimension(path: path, offset: offset, name: name) }
            sizes.append(size)
        }
        let (count, rows, columns) = (sizes[0], sizes[1], sizes[2])
        // Three 32-bit sizes can overflow even 64 bits; such a header
        // promises more bytes than any file holds.
        let (perImage, overflow1) = rows.multipliedReportingOverflow(by: columns)
        let (pixelCount, overflow2) = count.multipliedReportingOverflow(by: perImage)
        let (expected, overflow3) = pixelCount.addingReportingOverflow(headerLength)
        let expectedBytes = overflow1 || overflow2 || overflow3 ? Int.max : expected
        guard bytes.count >= expectedBytes else {
            throw DataSetError.truncated(path: path, expectedBytes: expectedBytes, actualBytes: bytes.count)
        }
        guard bytes.count == expectedBytes else {
            throw DataSetError.trailingBytes(path: path, expectedBytes: expectedBytes, actualBytes: bytes.count)
        }
        let pixels = bytes[headerLength...].map { Double($0) > IDXReader.threshold ? UInt8(1) : 0 }
        return BinaryImages(width: columns, height: rows, pixels: pixels)
    }

    /// The big-endian `UInt32` at `offset`.
    static func bigEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }
}
