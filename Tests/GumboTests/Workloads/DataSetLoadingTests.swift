import Testing
import GumboWorkloads

@Suite("Loading data sets by path")
struct DataSetLoadingTests {
    static let idxBytes = IDXReaderTests.idx(count: 2, rows: 2, columns: 2, pixels: [0, 255, 128, 127, 255, 0, 0, 255])
    static let expectedPixels: [UInt8] = [0, 1, 1, 0, 1, 0, 0, 1]

    @Test("the name picks the format: .idx, -ubyte, .idx3-ubyte, .csv, .txt")
    func detectByName() throws {
        let text = Array("0,1\n".utf8)
        #expect(try DataSetFormat.detect(path: "data/train.csv", bytes: text) == .csv)
        #expect(try DataSetFormat.detect(path: "DIGITS.TXT", bytes: text) == .csv)
        #expect(try DataSetFormat.detect(path: "a/b.idx", bytes: text) == .idx)
        #expect(try DataSetFormat.detect(path: "train-images-idx3-ubyte", bytes: text) == .idx)
        #expect(try DataSetFormat.detect(path: "t10k-images.idx3-ubyte", bytes: text) == .idx)
    }

    @Test("the first bytes beat the name: IDX magic, gzip magic")
    func detectByMagic() throws {
        #expect(try DataSetFormat.detect(path: "images.bin", bytes: Self.idxBytes) == .idx)
        #expect(try DataSetFormat.detect(path: "mislabelled.csv", bytes: Self.idxBytes) == .idx)
        #expect(thrownDataSetError { try DataSetFormat.detect(path: "x.idx", bytes: [0x1F, 0x8B, 8]) }
            == .gzipCompressed(path: "x.idx"))
        let unknown = thrownDataSetError { try DataSetFormat.detect(path: "images.dat", bytes: [1, 2, 3]) }
        #expect(unknown == .unknownFormat(path: "images.dat"))
        #expect(unknown?.description.contains("name the file .csv") == true)
    }

    @Test("load reads IDX and CSV files to the same images")
    func load() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let idx = try directory.write(Self.idxBytes, to: "train-images-idx3-ubyte")
        let csv = try directory.write("0,255,128,127\n255,0,0,255\n", to: "train.csv")
        let fromIDX = try BinaryImages.load(path: idx)
        let fromCSV = try BinaryImages.load(path: csv)
        #expect(fromIDX == fromCSV)
        #expect(fromIDX.pixels == Self.expectedPixels)
        #expect(fromIDX.width == 2 && fromIDX.height == 2)
        // A CSV file of non-square images with its size given.
        let wide = try BinaryImages.load(path: csv, width: 4, height: 1)
        #expect(wide.width == 4 && wide.height == 1 && wide.count == 2)
        // An explicit format for a name that says nothing.
        let plain = try directory.write("1,0,0,1\n", to: "images.dat")
        #expect(try BinaryImages.load(path: plain, format: .csv).pixels == [1, 0, 0, 1])
    }

    @Test("load reports missing, empty and compressed files")
    func loadErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path + "/absent.csv"
        #expect(thrownDataSetError { try BinaryImages.load(path: missing) } == .missingFile(path: missing))
        let empty = try directory.write([UInt8](), to: "empty.dat")
        #expect(thrownDataSetError { try BinaryImages.load(path: empty) } == .emptyFile(path: empty))
        let gzip = try directory.write([0x1F, 0x8B, 8, 0], to: "train.csv.gz")
        #expect(thrownDataSetError { try BinaryImages.load(path: gzip) } == .gzipCompressed(path: gzip))
        let labels = try directory.write(IDXReaderTests.idx(count: 1, rows: 1, columns: 1, pixels: [3], magic: 0x0801),
                                         to: "labels.idx")
        #expect(thrownDataSetError { try BinaryImages.load(path: labels) }
            == .wrongMagicNumber(path: labels, found: 0x0801))
    }
}
