/// Forward and backward loops of ``Opcode/vectorDensity(_:)``: fused
/// log-densities and the KL divergence that read a vector of `K` classes
/// (``Instruction/length``) along the last axis, by the distribution
/// library's vector kernels.
///
/// The instruction's geometry walks the result; a vector operand's offset
/// is the start of the row of classes it reads (its strides are scaled by
/// `K`), a per-result operand's (an index, a temperature) is its element.
/// The backward pass asks the library's gradient kernel for the whole row
/// (into the plan's scratch) and stores `g · ∂` into each operand's row:
/// overwriting when the compiler found it the row's first, dense write,
/// adding otherwise.
enum VectorDensityKernels {
    static func forward(_ kind: VectorDensity, _ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let classes = i.length
        let n = rows.length
        let (s0, s1, s2) = (rows.step0, rows.step1, rows.step2)
        var y = m.values + i.output
        switch kind {
        case .categorical:
            let index = m.indices + i.input0, logits = m.values + i.input1
            for _ in 0..<rows.count {
                for j in 0..<n {
                    let k = Int(index[rows.offset0 + j * s0])
                    precondition(k >= 0 && k < classes, "categoricalLogProb: index out of range 0..<classes")
                    y[j] = Categorical.logProb(k, logits: row(logits, rows.offset1 + j * s1, classes))
                }
                y += n
                rows.advance()
            }
        case .relaxedCategorical, .expRelaxedCategorical:
            let value = m.values + i.input0, logits = m.values + i.input1, temperature = m.values + i.input2
            for _ in 0..<rows.count {
                for j in 0..<n {
                    let v = row(value, rows.offset0 + j * s0, classes)
                    let l = row(logits, rows.offset1 + j * s1, classes)
                    let t = temperature[rows.offset2 + j * s2]
                    y[j] = kind == .relaxedCategorical
                        ? RelaxedCategorical.logProb(v, logits: l, temperature: t)
                        : ExpRelaxedCategorical.logProb(v, logits: l, temperature: t)
                }
                y += n
                rows.advance()
            }
        case .categoricalKL:
            let a = m.values + i.input0, b = m.values + i.input1
            for _ in 0..<rows.count {
                for j in 0..<n {
                    y[j] = Categorical.klDivergence(logits: row(a, rows.offset0 + j * s0, classes), toLogits: row(b, rows.offset1 + j * s1, classes))
                }
                y += n
                rows.advance()
            }
        }
    }

    static func backward(_ kind: VectorDensity, _ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let classes = i.length
        let n = rows.length
        let (s0, s1, s2) = (rows.step0, rows.step1, rows.step2)
        var g = m.gradients + i.outputGradient
        let first = UnsafeMutableBufferPointer(start: m.scratch, count: classes)
        let second = UnsafeMutableBufferPointer(start: m.scratch + classes, count: classes)
        // A single temperature shared by every result sums in a register.
        let sharedTemperature = i.gradient2 >= 0 && rows.layout(ofOperand: 2) == .singleElement
        var temperatureTotal = 0.0
        for _ in 0..<rows.count {
            for j in 0..<n {
                let (o0, o1, o2) = (rows.offset0 + j * s0, rows.offset1 + j * s1, rows.offset2 + j * s2)
                switch kind {
                case .categorical:
                    let k = Int(m.indices[i.input0 + o0])
                    Categorical.logProbGradient(k, logits: row(m.values + i.input1, o1, classes), into: first)
                    store(first, times: g[j], into: m.gradients + i.gradient1 + o1, overwrite: i.overwrites(1))
                case .relaxedCategorical, .expRelaxedCategorical:
                    let v = row(m.values + i.input0, o0, classes)
                    let l = row(m.values + i.input1, o1, classes)
                    let t = m.values[i.input2 + o2]
                    let temperaturePartial = kind == .relaxedCategorical
                        ? RelaxedCategorical.logProbGradient(v, logits: l, temperature: t, valueGradient: first, logitsGradient: second)
                        : ExpRelaxedCategorical.logProbGradient(v, logits: l, temperature: t, valueGradient: first, logitsGradient: second)
                    if i.gradient0 >= 0 { store(first, times: g[j], into: m.gradients + i.gradient0 + o0, overwrite: i.overwrites(0)) }
                    if i.gradient1 >= 0 { store(second, times: g[j], into: m.gradients + i.gradient1 + o1, overwrite: i.overwrites(1)) }
                    if sharedTemperature {
                        temperatureTotal += g[j] * temperaturePartial
                    } else if i.gradient2 >= 0 {
                        let slot = m.gradients + i.gradient2 + o2
                        if i.overwrites(2) { slot.pointee = g[j] * temperaturePartial } else { slot.pointee += g[j] * temperaturePartial }
                    }
                case .categoricalKL:
                    Categorical.klDivergenceGradient(
                        logits: row(m.values + i.input0, o0, classes), toLogits: row(m.values + i.input1, o1, classes),
                        logitsGradient: first, toLogitsGradient: second)
                    if i.gradient0 >= 0 { store(first, times: g[j], into: m.gradients + i.gradient0 + o0, overwrite: i.overwrites(0)) }
                    if i.gradient1 >= 0 { store(second, times: g[j], into: m.gradients + i.gradient1 + o1, overwrite: i.overwrites(1)) }
                }
            }
            g += n
            rows.advance()
        }
        if sharedTemperature {
            let slot = m.gradients + i.gradient2
            if i.overwrites(2) { slot.pointee = temperatureTotal } else { slot.pointee += temperatureTotal }
        }
    }

    @inline(__always)
    static func row(_ base: UnsafeMutablePointer<Double>, _ offset: Int, _ classes: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(start: base + offset, count: classes)
    }

    /// `target[k] (=|+=) scale · partials[k]` for one row of classes.
    @inline(__always)
    static func store(
        _ partials: UnsafeMutableBufferPointer<Double>, times scale: Double, into target: UnsafeMutablePointer<Double>, overwrite: Bool
    ) {
        if overwrite {
            for k in partials.indices { target[k] = scale * partials[k] }
        } else {
            for k in partials.indices { target[k] += scale * partials[k] }
        }
    }
}
