import Gumbo

/// A seeded generator of binary 8×8 "digit" images: the default data of W5.
///
/// Each digit 0–9 has a one-pixel-wide stroke template (``glyphs``, 5
/// columns × 6 rows) placed at row 1, column 1 of the 8×8 grid. Image number
/// `n` of seed `s` is drawn from its own generator,
/// `Xoshiro256StarStar(seed: s).stream(n)`, so it is a fixed function of
/// `(s, n)` — the same bytes on every platform, whatever else is generated —
/// by these steps, consuming random numbers in this order:
///
/// 1. the digit, uniform on 0…9;
/// 2. a shift `dx`, then `dy`: each is 0, or with probability
///    ``shiftProbability`` one pixel either way, decided by a fair coin
///    drawn only then (ink pushed off the grid is lost);
/// 3. the pen, uniform on 0…3: pen 0 is *thin*: the one-pixel template
///    with each stroke pixel left out independently with probability
///    ``breakProbability`` (drawn over the template's pixels in row-major
///    order); pens 1 and 2 are *regular*: the template thickened to two
///    pixels by a copy one pixel to the right; pen 3 is *bold*: copies one
///    to the right, one down and one diagonally, a 2×2 brush;
/// 4. noise: each of the 64 pixels, in row-major order, flips independently
///    with probability ``flipProbability``.
///
/// So the data has clear class structure (ten templates), nuisance structure
/// a latent code can also capture (position, stroke width), and enough noise
/// that it cannot be memorized: two images of the same digit are close in
/// Hamming distance but rarely equal. Uniform integers are the high word of
/// `next() × n` and probabilities compare the top 53 bits of `next()`, as a
/// double in [0, 1), with `p`: integer and IEEE arithmetic only, so the
/// stream is portable.
///
///     let (training, test) = SyntheticDigits().trainingAndTest()
///     // 1500 and 500 images of 8×8, labels = the digits drawn
public struct SyntheticDigits: Sendable, Hashable {
    /// Images are `side × side` = 8×8.
    public static let side = 8
    /// The seed of the default data set (W5).
    public static let defaultSeed: UInt64 = 5
    /// Held-out image numbers start here, far above any training number, so
    /// the test set does not change when the training set grows.
    public static let testNumberOffset: UInt64 = 1 << 32

    /// The probability that noise flips a pixel; 0.04 by default.
    public var flipProbability: Double
    /// The probability that a thin pen leaves out a stroke pixel; 0.15.
    public var breakProbability: Double
    /// The probability that an image is shifted by one pixel along each
    /// axis (either way, equally likely); 0.25.
    public var shiftProbability: Double

    /// - Precondition: every probability lies in [0, 1].
    public init(flipProbability: Double = 0.04, breakProbability: Double = 0.15, shiftProbability: Double = 0.25) {
        precondition((0...1).contains(flipProbability), "SyntheticDigits: flipProbability must lie in [0, 1]")
        precondition((0...1).contains(breakProbability), "SyntheticDigits: breakProbability must lie in [0, 1]")
        precondition((0...1).contains(shiftProbability), "SyntheticDigits: shiftProbability must lie in [0, 1]")
        self.flipProbability = flipProbability
        self.breakProbability = breakProbability
        self.shiftProbability = shiftProbability
    }

    // MARK: Templates

    /// The stroke templates of the digits 0–9, five columns by six rows
    /// (`#` is ink).
    public static let glyphs: [[String]] = [
        [".###.", "#...#", "#...#", "#...#", "#...#", ".###."],  // 0
        ["..#..", ".##..", "..#..", "..#..", "..#..", ".###."],  // 1
        [".###.", "#...#", "...#.", "..#..", ".#...", "#####"],  // 2
        ["####.", "....#", ".###.", "....#", "....#", "####."],  // 3
        ["#..#.", "#..#.", "#####", "...#.", "...#.", "...#."],  // 4
        ["#####", "#....", "####.", "....#", "....#", "####."],  // 5
        [".###.", "#....", "####.", "#...#", "#...#", ".###."],  // 6
        ["#####", "....#", "...#.", "..#..", "..#..", "..#.."],  // 7
        [".###.", "#...#", ".###.", "#...#", "#...#", ".###."],  // 8
        [".###.", "#...#", "#...#", ".####", "....#", ".###."],  // 9
    ]

    /// Each digit's one-pixel template on the 8×8 grid (row-major, 0/1):
    /// unshifted, unthickened, without noise.
    public static let templates: [[UInt8]] = glyphs.map { rows in
        var image = [UInt8](repeating: 0, count: side * side)
        for (row, line) in rows.enumerated() {
            for (column, character) in line.enumerated() where character == "#" {
                image[(row + 1) * side + column + 1] = 1
            }
        }
        return image
    }

    // MARK: Generation

    /// Image number `number` of `seed` and the digit it shows.
    public func image(number: UInt64, seed: UInt64) -> (pixels: [UInt8], digit: Int) {
        let side = SyntheticDigits.side
        var rng = Xoshiro256StarStar(seed: seed).stream(number)
        let digit = rng.uniform(below: 10)
        let dx = rng.shift(probability: shiftProbability)
        let dy = rng.shift(probability: shiftProbability)

        var strokes = SyntheticDigits.templates[digit]
        let pen = rng.uniform(below: 4)
        if pen == 0 {
            for d in strokes.indices where strokes[d] == 1 && rng.bernoulli(breakProbability) {
                strokes[d] = 0
            }
        } else {
            let offsets = pen == 3 ? [(0, 1), (1, 0), (1, 1)] : [(0, 1)]
            let template = strokes
            for (down, right) in offsets {
                for row in 0..<side - down {
                    for column in 0..<side - right where template[row * side + column] == 1 {
                        strokes[(row + down) * side + column + right] = 1
                    }
                }
            }
        }

        var pixels = [UInt8](repeating: 0, count: side * side)
        for row in 0..<side {
            for column in 0..<side where strokes[row * side + column] == 1 {
                let (y, x) = (row + dy, column + dx)
                if y >= 0 && y < side && x >= 0 && x < side { pixels[y * side + x] = 1 }
            }
        }
        for d in pixels.indices where rng.bernoulli(flipProbability) {
            pixels[d] ^= 1
        }
        return (pixels, digit)
    }

    /// Images number `firstNumber ..< firstNumber + count` of `seed`, with
    /// their digits as labels.
    public func images(count: Int, seed: UInt64, firstNumber: UInt64 = 0) -> BinaryImages {
        precondition(count >= 0, "SyntheticDigits: count must not be negative")
        var pixels: [UInt8] = []
        pixels.reserveCapacity(count * SyntheticDigits.side * SyntheticDigits.side)
        var labels: [Int] = []
        labels.reserveCapacity(count)
        for k in 0..<count {
            let (image, digit) = image(number: firstNumber + UInt64(k), seed: seed)
            pixels += image
            labels.append(digit)
        }
        return BinaryImages(width: SyntheticDigits.side, height: SyntheticDigits.side, pixels: pixels, labels: labels)
    }

    /// The W5 data set: images `0..<trainingCount` for training and
    /// `testNumberOffset ..< testNumberOffset + testCount` held out.
    public func trainingAndTest(trainingCount: Int = 1500, testCount: Int = 500,
                                seed: UInt64 = SyntheticDigits.defaultSeed)
        -> (training: BinaryImages, test: BinaryImages) {
        (images(count: trainingCount, seed: seed),
         images(count: testCount, seed: seed, firstNumber: SyntheticDigits.testNumberOffset))
    }
}

extension Xoshiro256StarStar {
    /// A uniform integer in `0..<n`: the high word of `next() · n`. The bias
    /// is below `n / 2⁶⁴`, and the result is the same on every platform.
    fileprivate mutating func uniform(below n: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// `true` with probability `p`: a 53-bit uniform in [0, 1) below `p`.
    fileprivate mutating func bernoulli(_ p: Double) -> Bool {
        Double(next() >> 11) * 0x1.0p-53 < p
    }

    /// 0, or with probability `p` one pixel either way: −1 or +1 by a fair
    /// coin (which is drawn only when there is a shift).
    fileprivate mutating func shift(probability p: Double) -> Int {
        guard bernoulli(p) else { return 0 }
        return bernoulli(0.5) ? 1 : -1
    }
}
