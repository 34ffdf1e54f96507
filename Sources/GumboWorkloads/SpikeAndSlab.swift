import Gumbo

/// W4, sparse regression with Bernoulli gates:
///
///     g_d ~ Bernoulli(0.1),  w_d ~ Normal(0, 1),      d = 1…D
///     y_i ~ Normal(Σ_d X[i][d] g_d w_d, 0.5),          i = 1…N
public enum SpikeAndSlab {
    public static func model(design: [[Double]], responses: [Double]) -> Model {
        let features = design.first?.count ?? 0
        let g = Discrete.latent("g")
        let w = Real.latent("w")
        let X = Real.data("X", rows: design)
        let y = Real.observed("y", responses)
        return Model("spikeslab") {
            Plate("features", size: features) { d in
                g[d] ~ .bernoulli(probability: 0.1)
                w[d] ~ .normal(mean: 0, std: 1)
            }
            Plate("data", size: responses.count) { i in
                y[i] ~ .normal(mean: dot(X[i], g.asReal * w), std: 0.5)
            }
        }
    }

    /// `q(g_d) = Bernoulli(σ(theta_d))`, theta = 0; `q(w_d) = Normal(m_d, softplus(s_d))`, m = 0, scale 1.
    public static func guide(features: Int) -> Guide {
        let g = Discrete.latent("g")
        let w = Real.latent("w")
        let theta = Real.parameter("theta", initial: 0, shape: [features])
        let m = Real.parameter("m", initial: 0, shape: [features])
        let s = Real.parameter("s", initial: 1, shape: [features], constraint: .positive)
        return Guide {
            Plate("features", size: features) { d in
                g[d] ~ .bernoulli(logit: theta[d])
                w[d] ~ .normal(mean: m[d], std: s[d])
            }
        }
    }
}
