/// A data file that cannot be read as binary images.
///
/// Thrown by ``IDXReader``, ``CSVImageReader`` and
/// ``BinaryImages/load(path:format:width:height:)``. Each message names the
/// file, the place (byte offset or line and column), what is wrong and what
/// to do:
///
///     digits.csv: line 3, column 5: "0.x" is not a number; every value must
///     be a pixel value (0/1, 0–255 or 0.0–1.0): fix or remove the line
///
/// Lines and columns count from 1, byte offsets from 0.
public enum DataSetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file at the path.
    case missingFile(path: String)
    /// The path exists but cannot be read (a directory, or no permission).
    case unreadable(path: String, reason: String)
    /// The file has no bytes, or (CSV) only blank lines.
    case emptyFile(path: String)
    /// The file holds a header but no image.
    case noImages(path: String)
    /// The file starts with the gzip magic bytes 1f 8b.
    case gzipCompressed(path: String)
    /// Neither the name nor the first bytes tell IDX from CSV.
    case unknownFormat(path: String)
    /// An IDX file whose first four bytes (offset 0) are not 0x00000803.
    case wrongMagicNumber(path: String, found: UInt32)
    /// An IDX file shorter than its header says: the data ends at byte
    /// `actualBytes` where the header promises `expectedBytes`.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// An IDX file longer than its header says.
    case trailingBytes(path: String, expectedBytes: Int, actualBytes: Int)
    /// An IDX header with a zero dimension, at byte `offset`.
    case zeroDimension(path: String, offset: Int, name: String)
    /// A CSV field that does not parse as a number.
    case nonNumericValue(path: String, line: Int, column: Int, text: String)
    /// A CSV number that cannot be a pixel: negative, infinite or NaN.
    case invalidValue(path: String, line: Int, column: Int, text: String)
    /// A CSV line with a different number of values than the first image.
    case raggedRow(path: String, line: Int, count: Int, expected: Int, firstLine: Int)
    /// Values per image that are not a square number, with no width and
    /// height given.
    case notSquare(path: String, valuesPerImage: Int)
    /// A width and height given that do not multiply to the values per image.
    case dimensionMismatch(path: String, valuesPerImage: Int, width: Int, height: Int)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "\(path): no such file; check the path (a relative path starts from the current directory)"
        case let .unreadable(path, reason):
            return "\(path): cannot be read (\(reason)); pass the path of a readable data file"
        case let .emptyFile(path):
            return "\(path): the file is empty; it holds no images, so pass a data file with at least one image"
        case let .noImages(path):
            return "\(path): the file holds a header but no images; add at least one image"
        case let .gzipCompressed(path):
            return "\(path): byte 0: the file is gzip-compressed (it starts with 1f 8b); decompress it first with `gunzip \(path)` and pass the decompressed file"
        case let .unknownFormat(path):
            return "\(path): cannot tell the format from the name or the first bytes; name the file .csv (one image per line) or .idx (or -ubyte, the MNIST format)"
        case let .wrongMagicNumber(path, found):
            return "\(path): byte 0: magic number \(DataSetError.hex(found)) is not 0x00000803, the IDX header of unsigned-byte images [count, rows, columns]; \(DataSetError.magicAdvice(found))"
        case let .truncated(path, expected, actual):
            return "\(path): byte \(actual): the file ends after \(actual) bytes but its header promises \(expected); it is truncated (an interrupted download or copy?), so fetch or copy it again"
        case let .trailingBytes(path, expected, actual):
            return "\(path): byte \(expected): \(actual - expected) bytes follow the last image the header promises (\(expected) bytes in all); the file is corrupt or not one IDX image file, so fetch it again"
        case let .zeroDimension(path, offset, name):
            return "\(path): byte \(offset): the header gives 0 \(name); an IDX image file needs at least one image of at least 1×1 pixels"
        case let .nonNumericValue(path, line, column, text):
            let shown = text.isEmpty ? "an empty value" : "\"\(text)\""
            let header = line == 1 ? "; a header line is recognised only when none of its fields is a number" : ""
            return "\(path): line \(line), column \(column): \(shown) is not a number; every value must be a pixel value (0/1, 0–255 or 0.0–1.0): fix or remove the line\(header)"
        case let .invalidValue(path, line, column, text):
            return "\(path): line \(line), column \(column): \"\(text)\" is not a pixel value (it must be finite and at least 0); fix or remove the line"
        case let .raggedRow(path, line, count, expected, firstLine):
            return "\(path): line \(line): \(DataSetError.values(count)) where line \(firstLine) has \(expected); every line must hold one whole image, so fix or remove the line"
        case let .notSquare(path, valuesPerImage):
            return "\(path): \(DataSetError.values(valuesPerImage)) per line is not a square number, so the image size is unknown; pass the width and height\(DataSetError.labelAdvice(valuesPerImage))"
        case let .dimensionMismatch(path, valuesPerImage, width, height):
            return "\(path): \(DataSetError.values(valuesPerImage)) per line, but width × height = \(width) × \(height) = \(width * height); pass a width and height whose product is \(valuesPerImage)"
        }
    }
}

// MARK: Formatting

extension DataSetError {
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    static func values(_ count: Int) -> String {
        count == 1 ? "1 value" : "\(count) values"
    }

    /// What a wrong magic number most likely means.
    static func magicAdvice(_ found: UInt32) -> String {
        let typeCode = (found >> 8) & 0xFF
        let dimensions = found & 0xFF
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: found >> (24 - 8 * $0)) }
        if found == 0x0000_0801 {
            return "this is an IDX label file (one byte per image); pass the image file instead (e.g. train-images-idx3-ubyte)"
        }
        if found >> 16 == 0 && typeCode == 0x08 {
            return "this IDX file holds \(dimensions)-dimensional unsigned bytes; pass a 3-dimensional image file [count, rows, columns]"
        }
        if found >> 16 == 0 && [0x09, 0x0B, 0x0C, 0x0D, 0x0E].contains(typeCode) {
            return "this IDX file holds another element type (code \(DataSetError.hex(typeCode)) instead of 0x08 for unsigned bytes); convert it to unsigned bytes"
        }
        if bytes.allSatisfy({ $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20..<0x7F).contains($0) }) {
            return "the file starts with text; if it is a CSV file, name it .csv"
        }
        return "this is not an IDX image file; pass an IDX image file (the MNIST format) or a CSV file"
    }

    /// A hint when the values per line are one label plus a square image,
    /// as in the common MNIST CSV files (1 + 28 × 28 = 785).
    static func labelAdvice(_ count: Int) -> String {
        let side = Int(Double(count - 1).squareRoot().rounded())
        guard count > 1, side * side == count - 1 else { return "" }
        return "; \(count) = 1 + \(side) × \(side): if the first column is a label, drop it (cut -d, -f2- FILE > images.csv)"
    }
}
