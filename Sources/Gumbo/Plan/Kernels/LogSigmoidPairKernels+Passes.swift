import GumboAVX2

extension LogSigmoidPairKernels {
    /// The forward pass that saves the sigmoids, in the three passes of
    /// ``VectorKernels/logSigmoidPairs(_:_:count:positive:negative:)``
    /// through the instruction's ``Instruction/auxiliary`` slot (compiled for
    /// AVX2 where the processor has it); returns where they stopped (at the
    /// last whole group of four, or at the first with `|x| > 708`), for the
    /// one-pass loop to finish. The operations are those of
    /// ``SavingSigmoids``, so the results are the same bit for bit. In one
    /// pass, each group's chain of an exponential, a logarithm and three
    /// divisions (about 100 cycles, 200 instructions) fills the processor's
    /// reorder window, so groups barely overlap; each pass's shorter loop
    /// body lets several groups run at once. W5's 6400 pairs: 13.4 → 9.1 ns
    /// per pair in a standalone copy of the loops (baseline build).
    static func forwardInPasses(_ i: Instruction, _ m: KernelMemory) -> Int {
        let x = m.values + i.input0, y = m.values + i.output
        let n = i.count / 2
        let positive = m.values + i.auxiliary, negative = positive + n
        return InstructionSet.current.hasAVX2
            ? VectorPasses.logSigmoidPairs(x, y, count: n, positive: positive, negative: negative)
            : VectorKernels.logSigmoidPairs(x, y, count: n, positive: positive, negative: negative)
    }
}
