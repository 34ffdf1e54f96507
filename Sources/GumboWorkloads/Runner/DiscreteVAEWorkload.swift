import Foundation
import Gumbo

/// W5 `dvae` as a runnable workload: ``DiscreteVAE`` trained on minibatches
/// of 100 training images and scored on held-out images.
///
/// The default data are ``SyntheticDigits``' 1500 training and 500 test
/// images; any other ``BinaryImages`` (read from IDX or CSV files) will do.
/// By default z is straight-through Gumbel-softmax with τ annealed
/// exponentially from 1 to 0.5, reaching 0.5 by the last step.
///
/// Figures: `test_elbo`, the held-out ELBO per image of the *discrete*
/// model (hard one-hot samples from the encoder, the exact categorical KL),
/// with its standard error; `elbo_per_image` on the training images; and,
/// for scale, the training data's `pixel_entropy` and `test_baseline`, the
/// held-out score of a decoder that ignores the codes and gives each pixel
/// its training mean. A model that does not beat `test_baseline` has
/// learned nothing.
public struct DiscreteVAEWorkload: Workload {
    public let training: BinaryImages
    public let test: BinaryImages
    /// Images per step (at most the training set).
    public let batch: Int
    /// Particles of each ELBO evaluation (training and held-out).
    public let evaluationParticles: Int

    public init(training: BinaryImages, test: BinaryImages, batch: Int = 100, evaluationParticles: Int = 10) {
        precondition(training.pixelsPerImage == test.pixelsPerImage, "DiscreteVAEWorkload: training and test images differ in size")
        self.training = training
        self.test = test
        self.batch = max(1, min(batch, training.count))
        self.evaluationParticles = evaluationParticles
    }

    /// The W5 data: ``SyntheticDigits/trainingAndTest(trainingCount:testCount:seed:)``.
    public init() {
        let (training, test) = SyntheticDigits().trainingAndTest()
        self.init(training: training, test: test)
    }

    public var name: String { "dvae" }
    public var label: String { "W5" }
    public var summary: String { "discrete VAE on binary images: held-out ELBO per image against the pixel-entropy baseline" }
    public var latentSites: [String] { ["z"] }
    public var discreteSites: [String] { ["z"] }
    public var observedSites: [String] { ["x"] }
    public var defaultSettings: WorkloadSettings { WorkloadSettings(steps: 450, learningRate: 1e-3) }

    public func defaultEstimators(settings: WorkloadSettings) -> [String: Estimator] {
        ["z": .gumbelSoftmax(temperature: Self.annealing(steps: settings.steps), straightThrough: true)]
    }

    /// τ(t) = max(0.5, exp(−r·t)) with r = ln 2 / (steps − 1) rounded up to
    /// three significant digits, so τ reaches 0.5 by the last step t = steps − 1
    /// and the spelling stays short (`anneal=1:0.5:0.00155` for 450 steps).
    public static func annealing(steps: Int) -> Temperature {
        let rate = log(2) / Double(max(steps - 1, 1))
        let magnitude = pow(10, floor(log10(rate)) - 2)
        return .exponential(initial: 1, minimum: 0.5, rate: (rate / magnitude).rounded(.up) * magnitude)
    }

    /// The default (straight-through Gumbel-softmax, annealed) against
    /// REINFORCE with a moving-average and a leave-one-out baseline.
    public func comparedEstimators(settings: WorkloadSettings) -> [[String: Estimator]] {
        [defaultEstimators(settings: settings)]
            + everyDiscreteSite([.reinforce(baseline: .movingAverageDefault), .reinforce(baseline: .leaveOneOut)])
    }

    /// One hard sample per image: the evaluation already averages over
    /// every training image.
    public var curveEvaluationParticles: Int { 1 }

    public func compile(options: CompileOptions) throws -> CompiledModel {
        try DiscreteVAE.model(images: training, batch: batch)
            .compile(guide: DiscreteVAE.guide(images: training, batch: batch), options: options)
    }

    /// The most images one evaluation plan takes: larger sets (MNIST's
    /// 60 000 of 784 pixels, with 10 particles) are evaluated in parts of
    /// this many images and the parts combined
    /// (``ELBOEvaluation/combining(_:)``; each image's codes are its own).
    public static let evaluationChunk = 2000

    public func figures(of svi: SVI, seed: UInt64) throws -> WorkloadFigures {
        let evaluation = training.count <= Self.evaluationChunk
            ? try svi.evaluate(particles: evaluationParticles, seed: seed)
            : try evaluation(of: svi, on: training, seed: seed)
        let held = try heldOutEvaluation(of: svi, seed: seed)
        let baseline = -test.pixelCrossEntropy(means: training.pixelMeans)
        let perImage = evaluation.elbo / Double(training.count)
        return WorkloadFigures(evaluation: evaluation, figures: [
            .number("test_elbo", held.elbo / Double(test.count), label: "held-out ELBO per image (\(test.count) images)", digits: 3, unit: "nats"),
            .number("test_elbo_stderr", held.standardError / Double(test.count), label: "its standard error", digits: 3, unit: "nats"),
            .number("elbo_per_image", perImage, label: "training ELBO per image (\(training.count) images)", digits: 3, unit: "nats"),
            .number("pixel_entropy", training.pixelEntropy, label: "training data's per-pixel entropy, per image", digits: 3, unit: "nats"),
            .number("test_baseline", baseline, label: "held-out score of a decoder that ignores the codes", digits: 3, unit: "nats"),
        ])
    }

    /// The discrete model's ELBO on the test images: the model and guide
    /// built on the test set (no minibatches), with the trained parameters
    /// copied by name.
    public func heldOutEvaluation(of svi: SVI, seed: UInt64) throws -> ELBOEvaluation {
        try evaluation(of: svi, on: test, seed: seed)
    }

    /// The discrete model's ELBO on `images` under `svi`'s parameters: the
    /// model and guide built on them (no minibatches), in parts of at most
    /// ``evaluationChunk`` images (or `chunk`), part `k` with seed `seed + k`.
    public func evaluation(of svi: SVI, on images: BinaryImages, seed: UInt64,
                           chunk: Int = evaluationChunk) throws -> ELBOEvaluation {
        let size = images.pixelsPerImage
        var parts: [ELBOEvaluation] = []
        var start = 0
        while start < images.count {
            let end = min(start + max(chunk, 1), images.count)
            let part = end - start == images.count ? images
                : BinaryImages(width: images.width, height: images.height,
                               pixels: Array(images.pixels[start * size..<end * size]))
            let compiled = try DiscreteVAE.model(images: part, batch: nil)
                .compile(guide: DiscreteVAE.guide(images: part, batch: nil))
            let held = try SVI(compiled)
            for (name, value) in svi.parameterValues() where held.parameter(name) != nil {
                try held.setParameter(name, to: value)
            }
            parts.append(try held.evaluate(particles: evaluationParticles, seed: seed &+ UInt64(parts.count)))
            start = end
        }
        return parts.count == 1 ? parts[0] : ELBOEvaluation.combining(parts)
    }
}
