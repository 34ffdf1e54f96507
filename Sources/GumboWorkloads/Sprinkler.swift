import Gumbo

/// W2, the sprinkler network of `BENCHMARKS.md`:
///
///     rain      ~ Bernoulli(0.2)
///     sprinkler ~ Bernoulli(rain ? 0.01 : 0.4)
///     wet       ~ Bernoulli(p[sprinkler][rain]),   observed wet = 1
public enum Sprinkler {
    /// `p[sprinkler][rain]`, the probability that the grass is wet.
    public static let wetProbability: [[Double]] = [[0.01, 0.8], [0.9, 0.99]]

    public static func model() -> Model {
        let rain = Discrete.latent("rain")
        let sprinkler = Discrete.latent("sprinkler")
        let wet = Discrete.observed("wet", 1)
        return Model("sprinkler") {
            rain ~ .bernoulli(probability: 0.2)
            sprinkler ~ .bernoulli(probability: rain.choose(ifTrue: 0.01, ifFalse: 0.4))
            wet ~ .bernoulli(probability: Real(wetProbability)[sprinkler][rain])
        }
    }

    /// The mean-field guide: `q(rain) = Bernoulli(σ(a))`, `q(sprinkler) = Bernoulli(σ(b))`, a = b = 0.
    public static func guide() -> Guide {
        let rain = Discrete.latent("rain")
        let sprinkler = Discrete.latent("sprinkler")
        return Guide {
            rain ~ .bernoulli(logit: .parameter("a", initial: 0))
            sprinkler ~ .bernoulli(logit: .parameter("b", initial: 0))
        }
    }
}
