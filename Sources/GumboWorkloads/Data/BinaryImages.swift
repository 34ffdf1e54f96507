import Foundation

/// A set of binary images of one size: the data of W5, the discrete VAE.
///
/// The pixels are stored flat, row-major within an image and image after
/// image, so pixel `(row, column)` of image `n` is
/// `pixels[n · width · height + row · width + column]`, and every value is 0
/// or 1. ``SyntheticDigits`` generates such a set; ``IDXReader`` and
/// ``CSVImageReader`` read one from a file, and ``load(path:format:width:height:)``
/// picks the reader by the file's name or first bytes.
///
/// The set also carries the score a model must beat. A decoder that ignores
/// its latents and gives pixel `d` the probability `p_d` (its mean over the
/// training images) scores, per image,
///
///     Σ_d H(p_d),    H(p) = −p log p − (1 − p) log(1 − p)    (nats)
///
/// on the training images: the ``pixelEntropy``. On held-out images the same
/// decoder scores ``pixelCrossEntropy(means:)`` of the training means.
///
///     let (training, test) = SyntheticDigits().trainingAndTest()
///     let x = Real.observed("x", training.values, shape: training.shape)
///     print(training.pixelEntropy)   // nats per image
public struct BinaryImages: Sendable, Hashable {
    /// The number of images.
    public let count: Int
    /// Pixels per row.
    public let width: Int
    /// Rows per image.
    public let height: Int
    /// 0 or 1, row-major, image after image: `count · width · height` values.
    public let pixels: [UInt8]
    /// One class label per image when the source has them (the digit a
    /// ``SyntheticDigits`` image was drawn from); `nil` for files.
    public let labels: [Int]?

    /// A set of `pixels.count / (width · height)` images.
    ///
    /// - Precondition: `width` and `height` are positive, `pixels.count` is a
    ///   multiple of `width · height`, every pixel is 0 or 1, and `labels`,
    ///   if given, has one entry per image.
    public init(width: Int, height: Int, pixels: [UInt8], labels: [Int]? = nil) {
        precondition(width > 0 && height > 0, "BinaryImages: width and height must be positive, got \(width)×\(height)")
        let size = width * height
        precondition(pixels.count % size == 0,
                     "BinaryImages: \(pixels.count) pixels is not a whole number of \(width)×\(height) images")
        precondition(pixels.allSatisfy { $0 <= 1 }, "BinaryImages: every pixel must be 0 or 1")
        let count = pixels.count / size
        precondition(labels == nil || labels!.count == count,
                     "BinaryImages: \(labels?.count ?? 0) labels for \(count) images")
        self.count = count
        self.width = width
        self.height = height
        self.pixels = pixels
        self.labels = labels
    }

    /// Pixels per image, `width · height`.
    public var pixelsPerImage: Int { width * height }

    /// `[count, width · height]`: the shape of ``values`` as one image per row.
    public var shape: [Int] { [count, pixelsPerImage] }

    /// The pixels of image `index`, row-major.
    public func image(at index: Int) -> [UInt8] {
        precondition(index >= 0 && index < count, "BinaryImages: image \(index) is outside 0..<\(count)")
        let start = index * pixelsPerImage
        return Array(pixels[start..<start + pixelsPerImage])
    }

    /// Pixel `(row, column)` of image `index`.
    public func pixel(image index: Int, row: Int, column: Int) -> UInt8 {
        precondition(row >= 0 && row < height && column >= 0 && column < width,
                     "BinaryImages: pixel (\(row), \(column)) is outside \(height)×\(width)")
        return pixels[index * pixelsPerImage + row * width + column]
    }

    // MARK: Conversion

    /// All pixels as doubles (0.0 or 1.0), flat and row-major with shape
    /// ``shape``: what `Real.observed(_:_:shape:)` takes.
    public var values: [Double] { pixels.map { Double($0) } }

    /// One `[Double]` row of `width · height` pixels per image.
    public var rows: [[Double]] {
        (0..<count).map { n in
            let start = n * pixelsPerImage
            return pixels[start..<start + pixelsPerImage].map { Double($0) }
        }
    }

    // MARK: Slicing

    /// The images whose indices lie in `range`, with their labels.
    public subscript(range: Range<Int>) -> BinaryImages {
        precondition(range.lowerBound >= 0 && range.upperBound <= count,
                     "BinaryImages: range \(range) is outside 0..<\(count)")
        let size = pixelsPerImage
        return BinaryImages(width: width, height: height,
                            pixels: Array(pixels[range.lowerBound * size..<range.upperBound * size]),
                            labels: labels.map { Array($0[range]) })
    }

    /// The first `trainingCount` images for training and the rest held out.
    public func split(trainingCount: Int) -> (training: BinaryImages, test: BinaryImages) {
        precondition(trainingCount >= 0 && trainingCount <= count,
                     "BinaryImages: cannot take \(trainingCount) training images from \(count)")
        return (self[0..<trainingCount], self[trainingCount..<count])
    }

    // MARK: Statistics

    /// The fraction of images in which each pixel is 1 (`width · height`
    /// values); all zero for an empty set.
    public var pixelMeans: [Double] {
        let denominator = Double(Swift.max(count, 1))
        return pixelCounts.map { Double($0) / denominator }
    }

    /// The number of images in which each pixel is 1.
    public var pixelCounts: [Int] {
        var counts = [Int](repeating: 0, count: pixelsPerImage)
        let size = pixelsPerImage
        pixels.withUnsafeBufferPointer { buffer in
            for n in 0..<count {
                let start = n * size
                for d in 0..<size { counts[d] += Int(buffer[start + d]) }
            }
        }
        return counts
    }

    /// The fraction of all pixels that are 1.
    public var density: Double {
        pixels.isEmpty ? 0 : Double(pixels.reduce(0) { $0 + Int($1) }) / Double(pixels.count)
    }

    /// The data's per-pixel entropy in nats per image:
    /// `Σ_d H(p_d)` with `p_d` the mean of pixel `d` and
    /// `H(p) = −p log p − (1 − p) log(1 − p)` (`0 log 0 = 0`).
    ///
    /// It is the negative log-likelihood per image, on these images, of the
    /// best decoder that ignores the latents (each pixel Bernoulli with its
    /// mean), so a VAE's ELBO per image must rise above `−pixelEntropy` to
    /// show it has learned anything.
    public var pixelEntropy: Double {
        pixelMeans.reduce(0) { $0 + BinaryImages.bernoulliEntropy($1) }
    }

    /// The mean negative log-likelihood per image, in nats, of these images
    /// under independent Bernoulli pixels with probabilities `means`:
    /// `−(1/N) Σ_n Σ_d [x_nd log p_d + (1 − x_nd) log(1 − p_d)]`.
    ///
    /// With the training set's ``pixelMeans`` this is the held-out score of
    /// the decoder that ignores the latents; with a set's own means it equals
    /// its ``pixelEntropy``. A pixel that is 1 where `p_d = 0` (or 0 where
    /// `p_d = 1`) makes it infinite.
    public func pixelCrossEntropy(means: [Double]) -> Double {
        precondition(means.count == pixelsPerImage,
                     "BinaryImages: \(means.count) means for images of \(pixelsPerImage) pixels")
        guard count > 0 else { return 0 }
        var total = 0.0
        for (d, ones) in pixelCounts.enumerated() {
            let zeros = count - ones
            if ones > 0 { total -= Double(ones) * log(means[d]) }
            if zeros > 0 { total -= Double(zeros) * log1p(-means[d]) }
        }
        return total / Double(count)
    }

    /// `H(p) = −p log p − (1 − p) log(1 − p)` in nats, with `0 log 0 = 0`.
    static func bernoulliEntropy(_ p: Double) -> Double {
        var entropy = 0.0
        if p > 0 { entropy -= p * log(p) }
        if p < 1 { entropy -= (1 - p) * log1p(-p) }
        return entropy
    }
}
