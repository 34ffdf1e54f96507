import Testing
import GumboWorkloads

@Suite("CSV image reader")
struct CSVImageReaderTests {
    static func decode(_ text: String, _ reader: CSVImageReader = CSVImageReader(),
                       path: String = "test.csv") throws -> BinaryImages {
        try reader.decode(Array(text.utf8), path: path)
    }

    // MARK: Well-formed files

    @Test("0/1 values without a header, from a file")
    func binaryFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("1,0,0,1\n0,1,1,0\n1,1,1,1\n", to: "binary.csv")
        let images = try CSVImageReader().read(path: path)
        #expect(images.count == 3)
        #expect(images.width == 2 && images.height == 2)
        #expect(images.pixels == [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1])
    }

    @Test("0/1 values under a header")
    func binaryWithHeader() throws {
        let images = try Self.decode("p0,p1,p2,p3\n1,0,0,1\n0,0,0,1\n")
        #expect(images.count == 2)
        #expect(images.pixels == [1, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test("0–255 grayscale binarizes above half the file's maximum: 127 → 0, 128 → 1")
    func grayscale() throws {
        let text = "0,127,128,255\n200,100,50,129\n"
        let images = try Self.decode(text)
        #expect(images.pixels == [0, 0, 1, 1, 1, 0, 0, 1])
        let withHeader = try Self.decode("a,b,c,d\n" + text)
        #expect(withHeader == images)
    }

    @Test("0.0–1.0 fractions, with and without a header")
    func fractions() throws {
        let text = "0.0,0.25,0.5,0.75\n1.0,0.51,0.49,1e-3\n"
        let images = try Self.decode(text)
        #expect(images.pixels == [0, 0, 0, 1, 1, 1, 0, 0])
        #expect(try Self.decode("x0, x1, x2, x3\n" + text) == images)
    }

    @Test("the threshold is half the maximum the file reaches")
    func thresholdFollowsMaximum() throws {
        // A dim 0–255 file reaching only 100: 50 → 0, 51 → 1.
        let images = try Self.decode("0,50,51,100\n")
        #expect(images.pixels == [0, 0, 1, 1])
        // All zero: nothing is above 0.
        #expect(try Self.decode("0,0,0,0\n").pixels == [0, 0, 0, 0])
    }

    @Test("spaces, CRLF line ends, blank lines, a byte order mark and no final newline")
    func lenientLayout() throws {
        let text = "\u{FEFF}pixel a , pixel b,c,d\r\n\r\n 1 , 0,0 ,1\r\n\n0,1,1,0"
        let images = try Self.decode(text)
        #expect(images.count == 2)
        #expect(images.pixels == [1, 0, 0, 1, 0, 1, 1, 0])
    }

    @Test("a given width and height, or one of them, shape non-square images")
    func givenSize() throws {
        let text = "1,0,0,0,0,1\n0,1,1,1,1,0\n"
        let wide = try Self.decode(text, CSVImageReader(width: 3, height: 2))
        #expect(wide.width == 3 && wide.height == 2 && wide.count == 2)
        #expect(wide.pixel(image: 0, row: 1, column: 2) == 1)
        let byWidth = try Self.decode(text, CSVImageReader(width: 6))
        #expect(byWidth.width == 6 && byWidth.height == 1)
        let byHeight = try Self.decode(text, CSVImageReader(height: 3))
        #expect(byHeight.width == 2 && byHeight.height == 3)
    }

    @Test("the header setting overrides detection")
    func headerSetting() throws {
        // A header whose names are numbers cannot be detected.
        let text = "0,1,2,3\n1,0,0,1\n"
        #expect(try Self.decode(text).count == 2)
        #expect(try Self.decode(text, CSVImageReader(header: .present)).pixels == [1, 0, 0, 1])
        // A header mixing names and numbers is data unless declared.
        #expect(try Self.decode("id,0,1,2\n1,0,0,1\n", CSVImageReader(header: .present)).count == 1)
        #expect(throws: DataSetError.nonNumericValue(path: "test.csv", line: 1, column: 1, text: "id")) {
            try Self.decode("id,0,1,2\n1,0,0,1\n", CSVImageReader(header: .absent))
        }
    }

    // MARK: Malformed files

    @Test("a non-numeric value is named with its line and column")
    func nonNumeric() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("a,b,c,d\n1,0,0,1\n0,1,x1,0\n", to: "bad.csv")
        let error = thrownDataSetError { try CSVImageReader().read(path: path) }
        #expect(error == .nonNumericValue(path: path, line: 3, column: 3, text: "x1"))
        let message = error?.description ?? ""
        #expect(message.contains("\(path): line 3, column 3: \"x1\" is not a number"))
        #expect(message.contains("fix or remove the line"))
        // An empty field is named as such.
        let empty = thrownDataSetError { try Self.decode("1,0,,1\n") }
        #expect(empty == .nonNumericValue(path: "test.csv", line: 1, column: 3, text: ""))
        #expect(empty?.description.contains("an empty value is not a number") == true)
    }

    @Test("negative and non-finite values are not pixel values")
    func invalidValues() {
        #expect(thrownDataSetError { try Self.decode("1,0\n0,-1\n", CSVImageReader(width: 2)) }
            == .invalidValue(path: "test.csv", line: 2, column: 2, text: "-1"))
        #expect(thrownDataSetError { try Self.decode("1,nan,0,1\n") }
            == .invalidValue(path: "test.csv", line: 1, column: 2, text: "nan"))
        #expect(thrownDataSetError { try Self.decode("1,0,inf,1\n") }
            == .invalidValue(path: "test.csv", line: 1, column: 3, text: "inf"))
    }

    @Test("ragged rows name the line, its count and the first image's")
    func ragged() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("h1,h2,h3,h4\n1,0,0,1\n\n0,1,1\n", to: "ragged.csv")
        let error = thrownDataSetError { try CSVImageReader().read(path: path) }
        #expect(error == .raggedRow(path: path, line: 4, count: 3, expected: 4, firstLine: 2))
        #expect(error?.description.contains("\(path): line 4: 3 values where line 2 has 4") == true)
    }

    @Test("empty files, whitespace-only files and a header without images")
    func empty() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("", to: "empty.csv")
        #expect(thrownDataSetError { try CSVImageReader().read(path: path) } == .emptyFile(path: path))
        #expect(thrownDataSetError { try Self.decode(" \n\r\n\n") } == .emptyFile(path: "test.csv"))
        #expect(thrownDataSetError { try Self.decode("a,b,c,d\n") } == .noImages(path: "test.csv"))
    }

    @Test("values that are not a square number need a width and height")
    func notSquare() {
        let error = thrownDataSetError { try Self.decode("1,0,1\n") }
        #expect(error == .notSquare(path: "test.csv", valuesPerImage: 3))
        #expect(error?.description.contains("pass the width and height") == true)
        // 1 + 2 × 2: a label column, as in the MNIST CSV files.
        let labelled = thrownDataSetError { try Self.decode("7,1,0,0,1\n") }
        #expect(labelled?.description.contains("5 = 1 + 2 × 2") == true)
        #expect(thrownDataSetError { try Self.decode("1,0,1,1\n", CSVImageReader(width: 3, height: 2)) }
            == .dimensionMismatch(path: "test.csv", valuesPerImage: 4, width: 3, height: 2))
        #expect(thrownDataSetError { try Self.decode("1,0,1,1\n", CSVImageReader(width: 3)) }
            == .dimensionMismatch(path: "test.csv", valuesPerImage: 4, width: 3, height: 2))
    }

    @Test("a gzip-compressed CSV file is refused")
    func gzip() {
        #expect(thrownDataSetError { try CSVImageReader().decode([0x1F, 0x8B, 8, 0], path: "d.csv.gz") }
            == .gzipCompressed(path: "d.csv.gz"))
    }
}
