import Gumbo

/// W3, a Gaussian mixture with one Categorical site per data point:
///
///     mu_k ~ Normal(0, 10),            k = 0, 1, 2
///     z_i  ~ Categorical(1/3, 1/3, 1/3)
///     x_i  ~ Normal(mu[z_i], 1)
public enum GaussianMixture {
    public static let components = 3

    public static func model(data: [Double], subsample: Int? = nil) -> Model {
        let mu = Real.latent("mu")
        let z = Discrete.latent("z")
        let x = Real.observed("x", data)
        return Model("gmm") {
            Plate("components", size: components) { k in
                mu[k] ~ .normal(mean: 0, std: 10)
            }
            Plate("data", size: data.count, subsample: subsample) { i in
                z[i] ~ .categorical(probabilities: [1.0 / 3, 1.0 / 3, 1.0 / 3])
                x[i] ~ .normal(mean: mu[z[i]], std: 1)
            }
        }
    }

    /// `q(mu_k) = Normal(m_k, softplus(s_k))` with m = [-1, 0, 1] and scale
    /// 1 at start; `q(z_i) = Categorical(softmax(phi_i))` with phi = 0.
    public static func guide(count: Int, subsample: Int? = nil) -> Guide {
        let mu = Real.latent("mu")
        let z = Discrete.latent("z")
        let m = Real.parameter("m", initial: [-1, 0, 1])
        let s = Real.parameter("s", initial: 1, shape: [components], constraint: .positive)
        let phi = Real.parameter("phi", initial: 0, shape: [count, components])
        return Guide {
            Plate("components", size: components) { k in
                mu[k] ~ .normal(mean: m[k], std: s[k])
            }
            Plate("data", size: count, subsample: subsample) { i in
                z[i] ~ .categorical(logits: phi[i], classes: components)
            }
        }
    }
}
