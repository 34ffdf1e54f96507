import Foundation
import Testing
import GumboWorkloads
import GumboTestSupport

@Suite("Binary images")
struct BinaryImagesTests {
    /// Four images of 3×1 pixels: pixel 0 is on in one image, pixel 1 in
    /// all four, pixel 2 in two.
    static let tiny = BinaryImages(width: 3, height: 1, pixels: [
        1, 1, 0,
        0, 1, 1,
        0, 1, 0,
        0, 1, 1,
    ], labels: [7, 8, 9, 10])

    // MARK: Accessors

    @Test("images, pixels, rows and values follow row-major order")
    func accessors() {
        let images = BinaryImages(width: 2, height: 3, pixels: [
            1, 0, 0, 1, 1, 1,
            0, 0, 1, 0, 0, 0,
        ])
        #expect(images.count == 2)
        #expect(images.pixelsPerImage == 6)
        #expect(images.shape == [2, 6])
        #expect(images.labels == nil)
        #expect(images.image(at: 1) == [0, 0, 1, 0, 0, 0])
        #expect(images.pixel(image: 0, row: 1, column: 1) == 1)
        #expect(images.pixel(image: 1, row: 1, column: 0) == 1)
        #expect(images.pixel(image: 1, row: 2, column: 1) == 0)
        #expect(images.rows == [[1, 0, 0, 1, 1, 1], [0, 0, 1, 0, 0, 0]])
        #expect(images.values == [1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0])
    }

    @Test("slicing and splitting keep sizes and labels")
    func slicing() {
        let middle = Self.tiny[1..<3]
        #expect(middle.count == 2)
        #expect(middle.pixels == [0, 1, 1, 0, 1, 0])
        #expect(middle.labels == [8, 9])
        let (training, test) = Self.tiny.split(trainingCount: 3)
        #expect(training.count == 3 && test.count == 1)
        #expect(training.width == 3 && test.height == 1)
        #expect(test.image(at: 0) == [0, 1, 1])
        #expect(test.labels == [10])
        #expect(Self.tiny.split(trainingCount: 4).test.count == 0)
    }

    // MARK: Statistics

    @Test("pixel means and density")
    func means() {
        #expect(Self.tiny.pixelCounts == [1, 4, 2])
        #expect(Self.tiny.pixelMeans == [0.25, 1, 0.5])
        #expect(Self.tiny.density == 7.0 / 12)
    }

    @Test("per-pixel entropy is Σ_d H(mean_d), worked by hand")
    func entropyByHand() {
        // H(1/4) = −¼ log ¼ − ¾ log ¾, H(1) = 0, H(1/2) = log 2.
        let expected = -0.25 * log(0.25) - 0.75 * log(0.75) + 0 + log(2.0)
        #expect(isClose(Self.tiny.pixelEntropy, expected, relative: 1e-14))
        #expect(isClose(Self.tiny.pixelEntropy, 1.2554823251787535, relative: 1e-14))
    }

    @Test("the entropy is the mean-pixel decoder's negative log-likelihood per image")
    func entropyIsLikelihood() {
        let means = Self.tiny.pixelMeans
        var total = 0.0
        for n in 0..<Self.tiny.count {
            for (x, p) in zip(Self.tiny.image(at: n), means) {
                total -= x == 1 ? log(p) : log(1 - p)
            }
        }
        let direct = total / Double(Self.tiny.count)
        #expect(isClose(direct, Self.tiny.pixelEntropy, relative: 1e-14))
        #expect(isClose(Self.tiny.pixelCrossEntropy(means: means), Self.tiny.pixelEntropy, relative: 1e-14))
    }

    @Test("cross-entropy against other means, and infinite where a mean rules a pixel out")
    func crossEntropy() {
        let means = [0.5, 0.5, 0.5]
        #expect(isClose(Self.tiny.pixelCrossEntropy(means: means), 3 * log(2.0), relative: 1e-14))
        let pixelOneNeverOn = [0.25, 0.0, 0.5]
        #expect(Self.tiny.pixelCrossEntropy(means: pixelOneNeverOn) == .infinity)
    }

    @Test("constant pixels carry no entropy, and an empty set scores 0")
    func extremes() {
        let constant = BinaryImages(width: 2, height: 1, pixels: [0, 1, 0, 1])
        #expect(constant.pixelEntropy == 0)
        let empty = BinaryImages(width: 4, height: 4, pixels: [])
        #expect(empty.count == 0)
        #expect(empty.pixelEntropy == 0)
        #expect(empty.density == 0)
        #expect(empty.pixelCrossEntropy(means: [Double](repeating: 0.5, count: 16)) == 0)
    }
}
