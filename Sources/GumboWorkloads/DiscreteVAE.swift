import Foundation
import Gumbo

/// W5, a discrete variational autoencoder on binary images:
///
///     z_ij ~ Categorical(1/8, …, 1/8)          j = 1…8 codes per image i
///     h_i  = relu(W₁ · onehot(z_i) + b₁)         64 → 128
///     x_i  ~ Bernoulli(logits = W₂ · h_i + b₂)   128 → D pixels
///
/// with an amortized guide, an encoder from the pixels to the codes'
/// logits: `q(z_ij | x_i) = Categorical(softmax((V₂ · relu(V₁ x_i + c₁) + c₂)_j))`.
/// Weights start from Glorot-uniform draws of a fixed seed, biases at 0.
public enum DiscreteVAE {
    public static let codes = 8
    public static let classes = 8
    public static let hidden = 128

    /// The model on `images` (one image per row of `pixels`), with minibatches of `batch`.
    public static func model(images: BinaryImages, batch: Int? = 100, seed: UInt64 = 17) -> Model {
        let pixels = images.pixelsPerImage
        let z = Discrete.latent("z")
        let x = Discrete.observed("x", images.pixels.map(Int.init), shape: [images.count, pixels])
        var initializer = Initializer(seed: seed)
        let w1 = Real.parameter("decoder.w1", initial: initializer.glorot(codes * classes, hidden), shape: [codes * classes, hidden])
        let b1 = Real.parameter("decoder.b1", initial: 0, shape: [hidden])
        let w2 = Real.parameter("decoder.w2", initial: initializer.glorot(hidden, pixels), shape: [hidden, pixels])
        let b2 = Real.parameter("decoder.b2", initial: 0, shape: [pixels])
        let uniform = Array(repeating: 1.0 / Double(classes), count: classes)
        return Model("dvae") {
            Plate("data", size: images.count, subsample: batch) { i in
                Plate("codes", size: codes) { j in
                    z[i][j] ~ .categorical(probabilities: uniform)
                }
                let hiddenLayer = relu(linear(z[i].oneHot.reshaped([codes * classes]), weights: w1, bias: b1))
                x[i] ~ .bernoulli(logit: linear(hiddenLayer, weights: w2, bias: b2))
            }
        }
    }

    /// The amortized guide: an encoder network from the pixels to the codes.
    public static func guide(images: BinaryImages, batch: Int? = 100, seed: UInt64 = 18) -> Guide {
        let pixels = images.pixelsPerImage
        let z = Discrete.latent("z")
        let data = Real.data("pixels", images.values, shape: [images.count, pixels])
        var initializer = Initializer(seed: seed)
        let v1 = Real.parameter("encoder.w1", initial: initializer.glorot(pixels, hidden), shape: [pixels, hidden])
        let c1 = Real.parameter("encoder.b1", initial: 0, shape: [hidden])
        let v2 = Real.parameter("encoder.w2", initial: initializer.glorot(hidden, codes * classes), shape: [hidden, codes * classes])
        let c2 = Real.parameter("encoder.b2", initial: 0, shape: [codes * classes])
        return Guide {
            Plate("data", size: images.count, subsample: batch) { i in
                let hiddenLayer = relu(linear(data[i], weights: v1, bias: c1))
                let logits = linear(hiddenLayer, weights: v2, bias: c2).reshaped([codes, classes])
                Plate("codes", size: codes) { j in
                    z[i][j] ~ .categorical(logits: logits[j], classes: classes)
                }
            }
        }
    }

    /// Glorot-uniform initial weights (Glorot & Bengio 2010): uniform on
    /// ±√(6 / (fan in + fan out)), from SplitMix64 so they are the same everywhere.
    struct Initializer {
        var random: SplitMix64

        init(seed: UInt64) { random = SplitMix64(seed: seed) }

        mutating func glorot(_ fanIn: Int, _ fanOut: Int) -> [Double] {
            let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
            return (0..<fanIn * fanOut).map { _ in limit * (2 * random.nextUniform() - 1) }
        }
    }
}
