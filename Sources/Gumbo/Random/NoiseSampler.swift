/// Buffers of standard normal, Gumbel, logistic and open uniform draws,
/// four at a time.
///
/// Each fills the values the scalar samplers of `StandardSamplers.swift`
/// would give in a loop — the same uniforms from the generator in the same
/// order, put through the same formula — but with the logarithms and the
/// cosine of ``VectorMath`` over four draws at once, so the results agree
/// with the scalar loop to a few ulps and the generator ends in the same
/// state.
///
/// - normal (Box–Muller, two uniforms each): `√(−2 log u₁) · cos 2πu₂`;
/// - Gumbel: `−log E`, `E` exponential from ``ExponentialZiggurat``;
/// - logistic: `log(u / (1 − u))`;
/// - uniform: `u` itself, from ``RandomNumberGenerator/nextOpenUniform()``.
///
/// Gumbel and logistic draws take every uniform or exponential into the
/// buffer first and then transform the buffer: the logarithms of
/// consecutive vectors are then independent of each other and of the
/// generator, and the processor overlaps them, where a logarithm after
/// each four draws waits out its own latency (a logarithm's ~70-cycle
/// chain of a division and a polynomial). The values are the same.
enum NoiseSampler {
    typealias Vector = VectorMath.Vector

    static func fillStandardNormal(_ buffer: UnsafeMutablePointer<Double>, count: Int,
                                   using rng: inout Xoshiro256StarStar) {
        fill(buffer, count: count) { lanes in
            var u1 = Vector(repeating: 0.5), u2 = Vector(repeating: 0.5)
            for lane in 0..<lanes {
                u1[lane] = rng.nextOpenUniform()
                u2[lane] = rng.nextOpenUniform()
            }
            return VectorMath.squareRoot(-2 * VectorMath.log(u1)) * VectorMath.cosTwoPi(u2)
        }
    }

    /// The exponentials first, into the buffer, then `−log` over it in
    /// place (the tail padded with 1, as a four-lane draw would be).
    static func fillStandardGumbel(_ buffer: UnsafeMutablePointer<Double>, count: Int,
                                   using rng: inout Xoshiro256StarStar) {
        let tables = ExponentialZiggurat.tables
        // A copy whose address is never taken stays in registers; drawing
        // from `rng` itself stored and reloaded its four words every draw.
        var generator = rng
        for j in 0..<count {
            let point = ExponentialZiggurat.point(generator.next(), tables)
            if _fastPath(point.inside) {
                buffer[j] = point.x
            } else {
                rng = generator
                buffer[j] = ExponentialZiggurat.nextBeyondCore(layer: point.layer, x: point.x, using: &rng, tables)
                generator = rng
            }
        }
        rng = generator
        VectorMath.negativeLog(buffer, buffer, count: count)
    }

    /// The uniforms first, into the buffer, then `log(u / (1 − u))` over
    /// it in place (the tail padded with ½).
    static func fillStandardLogistic(_ buffer: UnsafeMutablePointer<Double>, count: Int,
                                     using rng: inout Xoshiro256StarStar) {
        for j in 0..<count { buffer[j] = rng.nextOpenUniform() }
        VectorMath.logit(buffer, buffer, count: count)
    }

    static func fillOpenUniform(_ buffer: UnsafeMutablePointer<Double>, count: Int,
                                using rng: inout Xoshiro256StarStar) {
        for j in 0..<count { buffer[j] = rng.nextOpenUniform() }
    }

    /// Four draws at a time from `draw(4)`, then the last one to three from
    /// one `draw(rest)`, which takes only `rest` draws from the generator.
    @inline(__always)
    static func fill(_ buffer: UnsafeMutablePointer<Double>, count: Int, _ draw: (Int) -> Vector) {
        var j = 0
        while j + 4 <= count {
            UnsafeMutableRawPointer(buffer + j).storeBytes(of: draw(4), as: Vector.self)
            j += 4
        }
        if j < count {
            let rest = count - j
            let values = draw(rest)
            for lane in 0..<rest { buffer[j + lane] = values[lane] }
        }
    }
}
