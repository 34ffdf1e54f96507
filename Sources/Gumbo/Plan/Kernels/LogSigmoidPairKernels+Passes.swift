extension LogSigmoidPairKernels {
    /// The forward pass that saves the sigmoids, over the whole groups of
    /// four elements, in three passes through the instruction's
    /// ``Instruction/auxiliary`` slot; returns where the groups end, for
    /// the one-pass loop to finish the last one to three elements.
    ///
    /// 1. `e = e^{−|x|}` into `auxiliary[0..<n]`;
    /// 2. `log1p(e)` into `auxiliary[n..<2n]`;
    /// 3. the values and sigmoids from them (``SavingSigmoids/finish(_:e:log1pE:)``),
    ///    the sigmoids over the scratch, read before written.
    ///
    /// The operations are those of ``SavingSigmoids`` (a vector with a lane
    /// beyond `|x| > 708` still calls the separate functions, in pass 3;
    /// passes 1 and 2 compute meaningless but harmless numbers for it), so
    /// the results are the same bit for bit. In one pass, each group's
    /// chain of an exponential, a logarithm and three divisions (about 100
    /// cycles, 200 instructions) fills the processor's reorder window, so
    /// groups barely overlap; each pass's shorter loop body lets several
    /// groups run at once. W5's 6400 pairs: 13.4 → 9.1 ns per pair in a
    /// standalone copy of the loops.
    static func forwardInPasses(_ i: Instruction, _ m: KernelMemory) -> Int {
        let x = m.values + i.input0
        let y = m.values + i.output
        let n = i.count / 2
        let positive = m.values + i.auxiliary, negative = positive + n
        let groups = n / 4 * 4
        var j = 0
        while j < groups {
            positive.setVector(VectorMath.expCore(VectorMath.negativeMagnitude(x.vector(at: j))), at: j)
            j += 4
        }
        j = 0
        while j < groups {
            negative.setVector(VectorMath.log1pSmall(positive.vector(at: j)), at: j)
            j += 4
        }
        j = 0
        while j < groups {
            let x4 = x.vector(at: j)
            let values: (Vector4, Vector4), sigmoids: (Vector4, Vector4)
            if _fastPath(VectorMath.allTrue(VectorMath.negativeMagnitude(x4) .>= -708.0)) {
                (values, sigmoids) = SavingSigmoids.finish(x4, e: positive.vector(at: j),
                                                           log1pE: negative.vector(at: j))
            } else {
                values = logSigmoids(x4)
                sigmoids = Self.sigmoids(x4)
            }
            positive.setVector(sigmoids.0, at: j)
            negative.setVector(sigmoids.1, at: j)
            // Interleaved: y[2k] = log σ(−x[k]), y[2k + 1] = log σ(x[k]).
            let (minus, plus) = values
            y.setVector(Vector4(minus[0], plus[0], minus[1], plus[1]), at: 2 * j)
            y.setVector(Vector4(minus[2], plus[2], minus[3], plus[3]), at: 2 * j + 4)
            j += 4
        }
        return groups
    }
}
