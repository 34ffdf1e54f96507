/// Reads binary images from a CSV file, one image per line.
///
/// Each line holds one image's pixel values, row-major, separated by commas
/// (spaces around a value are ignored, as are blank lines and a UTF-8 byte
/// order mark). Values may be 0/1, grayscale 0–255, or fractions 0.0–1.0:
/// a value reads as 1 when it is above half the largest value in the file,
///
///     pixel = value > max / 2 ? 1 : 0,
///
/// so 0/1 files keep their pixels and 127/128 of a 0–255 file fall either
/// side of 127.5 (when the file reaches 255). Every line must have the same
/// number of values. The images are square (side `√values`) unless a
/// ``width`` or ``height`` is given.
///
/// An optional header comes first. With ``Header/automatic`` the first line
/// is a header when none of its fields is a number (`pixel0,pixel1,…`); a
/// first line with a field that is a number is data, and a field that is
/// not is then reported as an error rather than skipped silently.
///
///     let images = try CSVImageReader().read(path: "digits.csv")
///     let wide = try CSVImageReader(width: 16, height: 8).read(path: "wide.csv")
public struct CSVImageReader: Sendable, Hashable {
    /// Whether the file's first line is a header.
    public enum Header: Sendable, Hashable {
        /// A header when no field of the first line is a number.
        case automatic
        /// The first non-blank line is a header, whatever it holds.
        case present
        /// Every line is an image.
        case absent
    }

    /// Pixels per row; `nil` to infer it.
    public var width: Int?
    /// Rows per image; `nil` to infer it.
    public var height: Int?
    /// How to treat the first line.
    public var header: Header

    /// A reader that infers what is not given: with neither `width` nor
    /// `height` the images must be square; with one, the other is the values
    /// per line divided by it.
    public init(width: Int? = nil, height: Int? = nil, header: Header = .automatic) {
        precondition(width.map { $0 > 0 } ?? true, "CSVImageReader: width must be positive")
        precondition(height.map { $0 > 0 } ?? true, "CSVImageReader: height must be positive")
        self.width = width
        self.height = height
        self.header = header
    }

    /// The images in the CSV file at `path`.
    /// - Throws: ``DataSetError`` when the file is missing, empty or
    ///   gzip-compressed, holds a value that is not a number or not a pixel
    ///   value, has lines of different lengths, or images whose size cannot
    ///   be inferred.
    public func read(path: String) throws -> BinaryImages {
        try decode(DataFile.bytes(at: path), path: path)
    }

    /// The images in `bytes`, the contents of a CSV file; `path` names the
    /// file in error messages.
    public func decode(_ bytes: [UInt8], path: String) throws -> BinaryImages {
        if DataFile.isGzip(bytes) { throw DataSetError.gzipCompressed(path: path) }
        return try bytes.withUnsafeBufferPointer { try decode(buffer: $0, path: path) }
    }

    private func decode(buffer: UnsafeBufferPointer<UInt8>, path: String) throws -> BinaryImages {
        var lines = CSVImageReader.nonBlankLines(buffer)
        guard let first = lines.first else { throw DataSetError.emptyFile(path: path) }
        let hasHeader: Bool
        switch header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .automatic:
            var anyNumber = false
            CSVImageReader.forEachField(buffer, first.range) { _, field in
                if CSVImageReader.number(buffer, field) != nil { anyNumber = true }
            }
            hasHeader = !anyNumber
        }
        if hasHeader { lines.removeFirst() }
        guard let firstImage = lines.first else { throw DataSetError.noImages(path: path) }

        // First pass: check every value and find the largest.
        var expected = 0
        var largest = 0.0
        for line in lines {
            var columns = 0
            var failure: DataSetError?
            CSVImageReader.forEachField(buffer, line.range) { column, field in
                columns = column
                guard failure == nil else { return }
                let text = { CSVImageReader.text(buffer, field) }
                guard let value = CSVImageReader.number(buffer, field) else {
                    failure = .nonNumericValue(path: path, line: line.number, column: column, text: text())
                    return
                }
                guard value.isFinite && value >= 0 else {
                    failure = .invalidValue(path: path, line: line.number, column: column, text: text())
                    return
                }
                largest = max(largest, value)
            }
            if line.number == firstImage.number { expected = columns }
            if columns != expected {
                throw DataSetError.raggedRow(path: path, line: line.number, count: columns,
                                             expected: expected, firstLine: firstImage.number)
            }
            if let failure { throw failure }
        }
        let (width, height) = try size(valuesPerImage: expected, path: path)

        // Second pass: binarize at half the largest value.
        let threshold = largest / 2
        var pixels: [UInt8] = []
        pixels.reserveCapacity(lines.count * expected)
        for line in lines {
            CSVImageReader.forEachField(buffer, line.range) { _, field in
                // Checked in the first pass.
                let value = CSVImageReader.number(buffer, field) ?? 0
                pixels.append(value > threshold ? 1 : 0)
            }
        }
        return BinaryImages(width: width, height: height, pixels: pixels)
    }

    /// The image size for `valuesPerImage` values per line.
    private func size(valuesPerImage values: Int, path: String) throws -> (width: Int, height: Int) {
        let mismatch = { (width: Int, height: Int) in
            DataSetError.dimensionMismatch(path: path, valuesPerImage: values, width: width, height: height)
        }
        switch (width, height) {
        case let (width?, height?):
            guard width * height == values else { throw mismatch(width, height) }
            return (width, height)
        case let (width?, nil):
            guard values % width == 0 else { throw mismatch(width, (values + width - 1) / width) }
            return (width, values / width)
        case let (nil, height?):
            guard values % height == 0 else { throw mismatch((values + height - 1) / height, height) }
            return (values / height, height)
        case (nil, nil):
            let side = Int(Double(values).squareRoot().rounded())
            guard side * side == values else { throw DataSetError.notSquare(path: path, valuesPerImage: values) }
            return (side, side)
        }
    }
}

// MARK: Scanning

extension CSVImageReader {
    /// The lines that hold anything but spaces, tabs and carriage returns,
    /// numbered from 1, without their line ends.
    static func nonBlankLines(_ buffer: UnsafeBufferPointer<UInt8>) -> [(number: Int, range: Range<Int>)] {
        var lines: [(number: Int, range: Range<Int>)] = []
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        var start = buffer.starts(with: byteOrderMark) ? 3 : 0
        var number = 1
        while start <= buffer.count {
            var end = start
            while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
            let trimmed = trim(buffer, start..<end)
            if !trimmed.isEmpty { lines.append((number, start..<end)) }
            start = end + 1
            number += 1
        }
        return lines
    }

    /// Calls `body` with each field's column (from 1) and trimmed range.
    @inline(__always)
    static func forEachField(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>,
                             _ body: (Int, Range<Int>) -> Void) {
        var start = line.lowerBound
        var column = 1
        while true {
            var end = start
            while end < line.upperBound && buffer[end] != UInt8(ascii: ",") { end += 1 }
            body(column, trim(buffer, start..<end))
            guard end < line.upperBound else { return }
            start = end + 1
            column += 1
        }
    }

    /// `range` without leading and trailing spaces, tabs and carriage returns.
    @inline(__always)
    static func trim(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
        }
        var (start, end) = (range.lowerBound, range.upperBound)
        while start < end && isSpace(buffer[start]) { start += 1 }
        while end > start && isSpace(buffer[end - 1]) { end -= 1 }
        return start..<end
    }

    /// The field as a number: plain digit strings directly (the common
    /// case, and exact), anything else by `Double(String)`.
    @inline(__always)
    static func number(_ buffer: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> Double? {
        guard !field.isEmpty else { return nil }
        if field.count <= 15 {
            var value = 0
            var digitsOnly = true
            for index in field {
                let digit = Int(buffer[index]) - Int(UInt8(ascii: "0"))
                guard digit >= 0 && digit <= 9 else { digitsOnly = false; break }
                value = value * 10 + digit
            }
            if digitsOnly { return Double(value) }
        }
        return Double(text(buffer, field))
    }

    /// The field's text, cut to 40 characters for messages.
    static func text(_ buffer: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> String {
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[field]), as: UTF8.self)
        return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}
