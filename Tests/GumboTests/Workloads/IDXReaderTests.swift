import Foundation
import Testing
import GumboWorkloads

@Suite("IDX reader")
struct IDXReaderTests {
    /// An IDX image file: magic, three big-endian sizes, then `pixels`.
    static func idx(count: UInt32, rows: UInt32, columns: UInt32, pixels: [UInt8],
                    magic: UInt32 = 0x0000_0803) -> [UInt8] {
        let words = [magic, count, rows, columns]
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } } + pixels
    }

    // MARK: Round trip

    @Test("a written file reads back with its size, and 127 → 0, 128 → 1")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pixels: [UInt8] = [
            0, 127, 128, 255, 1, 200,
            127, 127, 127, 128, 128, 128,
        ]
        let path = try directory.write(Self.idx(count: 2, rows: 2, columns: 3, pixels: pixels), to: "tiny-images-idx3-ubyte")
        let images = try IDXReader().read(path: path)
        #expect(images.count == 2)
        #expect(images.width == 3)
        #expect(images.height == 2)
        #expect(images.pixels == [0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1])
        #expect(images.labels == nil)
    }

    @Test("every byte value reads as 1 exactly when it is above 127.5")
    func threshold() throws {
        let bytes = Self.idx(count: 1, rows: 16, columns: 16, pixels: (0...255).map { UInt8($0) })
        let images = try IDXReader().decode(bytes, path: "all-bytes.idx")
        #expect(images.pixels == (0...255).map { $0 >= 128 ? 1 : 0 })
    }

    @Test("MNIST-sized images keep their native 28×28")
    func nativeSize() throws {
        let pixels = (0..<3 * 784).map { UInt8(truncatingIfNeeded: $0 * 37) }
        let images = try IDXReader().decode(Self.idx(count: 3, rows: 28, columns: 28, pixels: pixels), path: "x.idx")
        #expect(images.count == 3 && images.width == 28 && images.height == 28)
        #expect(images.pixels == pixels.map { $0 > 127 ? 1 : 0 })
    }

    // MARK: Malformed files

    @Test("a missing file names its path")
    func missing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/nothing-here.idx"
        let error = thrownDataSetError { try IDXReader().read(path: path) }
        #expect(error == .missingFile(path: path))
        #expect(error?.description.contains(path) == true)
        #expect(thrownDataSetError { try IDXReader().read(path: directory.path) }
            == .unreadable(path: directory.path, reason: "it is a directory"))
    }

    @Test("an empty file")
    func empty() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write([UInt8](), to: "empty.idx")
        let error = thrownDataSetError { try IDXReader().read(path: path) }
        #expect(error == .emptyFile(path: path))
        #expect(error?.description.contains("empty.idx: the file is empty") == true)
    }

    @Test("a wrong magic number, with advice for label files and text")
    func wrongMagic() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let labels = try directory.write(Self.idx(count: 1, rows: 1, columns: 1, pixels: [0], magic: 0x0000_0801),
                                         to: "train-labels-idx1-ubyte")
        let error = thrownDataSetError { try IDXReader().read(path: labels) }
        #expect(error == .wrongMagicNumber(path: labels, found: 0x0000_0801))
        let message = error?.description ?? ""
        #expect(message.contains("train-labels-idx1-ubyte: byte 0: magic number 0x00000801 is not 0x00000803"))
        #expect(message.contains("label file"))

        let text = try directory.write("0,1,0,1\n", to: "digits.idx")
        let textError = thrownDataSetError { try IDXReader().read(path: text) }
        #expect(textError == .wrongMagicNumber(path: text, found: 0x302C_312C))
        #expect(textError?.description.contains("name it .csv") == true)

        let floats = Self.idx(count: 1, rows: 1, columns: 1, pixels: [0, 0, 0, 0], magic: 0x0000_0D03)
        #expect(thrownDataSetError { try IDXReader().decode(floats, path: "f.idx") }
            == .wrongMagicNumber(path: "f.idx", found: 0x0000_0D03))
    }

    @Test("truncated data and a truncated header name the byte where the file ends")
    func truncated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The header promises 3 images of 2×2: 16 + 12 = 28 bytes.
        let short = try directory.write(Self.idx(count: 3, rows: 2, columns: 2, pixels: [UInt8](repeating: 9, count: 10)),
                                        to: "short.idx")
        let error = thrownDataSetError { try IDXReader().read(path: short) }
        #expect(error == .truncated(path: short, expectedBytes: 28, actualBytes: 26))
        #expect(error?.description.contains("short.idx: byte 26:") == true)
        #expect(error?.description.contains("promises 28") == true)

        let header = Array(Self.idx(count: 3, rows: 2, columns: 2, pixels: []).prefix(10))
        #expect(thrownDataSetError { try IDXReader().decode(header, path: "h.idx") }
            == .truncated(path: "h.idx", expectedBytes: 16, actualBytes: 10))
        #expect(thrownDataSetError { try IDXReader().decode([0, 0, 8], path: "m.idx") }
            == .truncated(path: "m.idx", expectedBytes: 16, actualBytes: 3))

        // Sizes whose product overflows promise more than any file holds.
        let huge = Self.idx(count: .max, rows: .max, columns: .max, pixels: [1, 2, 3])
        #expect(thrownDataSetError { try IDXReader().decode(huge, path: "huge.idx") }
            == .truncated(path: "huge.idx", expectedBytes: .max, actualBytes: 19))
    }

    @Test("bytes beyond what the header promises, and zero sizes")
    func trailingAndZero() {
        let long = Self.idx(count: 1, rows: 2, columns: 2, pixels: [0, 0, 0, 0, 7])
        #expect(thrownDataSetError { try IDXReader().decode(long, path: "long.idx") }
            == .trailingBytes(path: "long.idx", expectedBytes: 20, actualBytes: 21))
        let noImages = Self.idx(count: 0, rows: 2, columns: 2, pixels: [])
        #expect(thrownDataSetError { try IDXReader().decode(noImages, path: "z.idx") }
            == .zeroDimension(path: "z.idx", offset: 4, name: "images"))
        let noColumns = Self.idx(count: 1, rows: 2, columns: 0, pixels: [])
        #expect(thrownDataSetError { try IDXReader().decode(noColumns, path: "z.idx") }
            == .zeroDimension(path: "z.idx", offset: 12, name: "columns"))
    }

    @Test("a gzip-compressed file is refused with the command that fixes it")
    func gzip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0], to: "train-images-idx3-ubyte.gz")
        let error = thrownDataSetError { try IDXReader().read(path: path) }
        #expect(error == .gzipCompressed(path: path))
        #expect(error?.description.contains("gunzip \(path)") == true)
    }
}
