import Gumbo

/// The library's noise, four draws at a time, through the generator's
/// public samplers and ``VectorMath``: the same uniforms in the same order
/// and the same vector formulas as Gumbo's own noise buffers, so the same
/// seed gives the same draws, bit for bit. A vector with `lanes < 4` takes
/// only `lanes` draws from the generator (the rest are padding).
///
/// - normal (Box–Muller, two uniforms each): `√(−2 log u₁) · cos 2πu₂`;
/// - logistic: `log(u / (1 − u))`;
/// - Gumbel: `−log E` with `E` the ziggurat exponential (drawn where it is
///   used, see ``MixtureStraightThroughStep``).
enum HandwrittenNoise {
    typealias Vector = SIMD4<Double>

    static func normal(_ lanes: Int = 4, using rng: inout Xoshiro256StarStar) -> Vector {
        var u1 = Vector(repeating: 0.5), u2 = Vector(repeating: 0.5)
        for lane in 0..<lanes {
            u1[lane] = rng.nextOpenUniform()
            u2[lane] = rng.nextOpenUniform()
        }
        return VectorMath.squareRoot(-2 * VectorMath.log(u1)) * VectorMath.cosTwoPi(u2)
    }

    static func logistic(_ lanes: Int = 4, using rng: inout Xoshiro256StarStar) -> Vector {
        var u = Vector(repeating: 0.5)
        for lane in 0..<lanes { u[lane] = rng.nextOpenUniform() }
        return VectorMath.log(u / (1 - u))
    }
}
