extension BinaryImages {
    /// The images in the file at `path`, read as IDX or CSV.
    ///
    /// The format is `format` when given, else recognised by
    /// ``DataSetFormat/detect(path:bytes:)``. `width` and `height` apply to
    /// CSV files (whose lines do not say the image size); IDX files carry
    /// their own.
    ///
    ///     let training = try BinaryImages.load(path: "train-images-idx3-ubyte")
    ///     let test = try BinaryImages.load(path: "test.csv", width: 8, height: 8)
    /// - Throws: ``DataSetError`` naming the file, the place and the fault.
    public static func load(path: String, format: DataSetFormat? = nil,
                            width: Int? = nil, height: Int? = nil) throws -> BinaryImages {
        let bytes = try DataFile.bytes(at: path)
        guard !bytes.isEmpty else { throw DataSetError.emptyFile(path: path) }
        switch try format ?? DataSetFormat.detect(path: path, bytes: bytes) {
        case .idx:
            return try IDXReader().decode(bytes, path: path)
        case .csv:
            return try CSVImageReader(width: width, height: height).decode(bytes, path: path)
        }
    }
}
