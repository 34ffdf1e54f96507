import GumboAVX2

/// Forward and backward loops of ``Opcode/contraction``: `sum(a · b)` over
/// one axis of the broadcast product, without the product
/// (``GraphRewriting``, rewrite 3).
///
///     y[o] = Σ_k a[o, k] · b[o, k]
///     ∂a[o, k] += g[o] · b[o, k],   ∂b[o, k] += g[o] · a[o, k]
///
/// The geometry walks the output `o` (each factor's strides along the
/// output's axes, 0 where it broadcasts); ``Instruction/length`` is the
/// contracted extent `K` and ``Instruction/batchStride0`` and
/// ``Instruction/batchStride1`` each factor's stride along it (0 for a
/// factor constant along it).
///
/// The loops, by shape:
/// - along an output row where each factor is contiguous or constant (an
///   `[N, K]` table against `[K]`, an enumeration axis against a plate),
///   four outputs at a time, `K` (2–4 at compile time) unrolled inside;
/// - a long contiguous contracted axis (a dot product over features), four
///   lanes at a time along it;
/// - a factor that is the same for every output (a `[K]` table) gets its
///   gradient summed in a register and stored once.
///
/// A dense `[N, K]` factor with `K` = 2–4 goes four outputs at a time
/// instead (`ContractionKernels+Blocks.swift`).
///
/// For each output the sum over `k` runs in order, `a₀b₀ + a₁b₁ + …`, as
/// the unfused multiply-then-sum did, except along a contiguous axis of 8
/// or more, which uses ``ReduceKernels/sum(_:count:)``'s eight lanes.
///
/// The rows of a table against one vector, and the transposed product
/// for that vector's gradient, are ``RowProducts``' loops, run from
/// `GumboAVX2` (`TableProducts`, the same source compiled for Haswell, the
/// same bits) when the processor has AVX2 (``InstructionSet``).
enum ContractionKernels {
    // MARK: Forward

    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let rows = BroadcastRows(m, geometry: i.geometry)
        switch i.length {
        case 2: if !forwardInBlocks(Width2.self, i, m, rows) { forward(Width2.self, i, m, rows) }
        case 3: if !forwardInBlocks(Width3.self, i, m, rows) { forward(Width3.self, i, m, rows) }
        case 4: if !forwardInBlocks(Width4.self, i, m, rows) { forward(Width4.self, i, m, rows) }
        default: forward(AnyWidth.self, i, m, rows)
        }
    }

    @inline(__always)
    static func forward<Width: RowWidth>(_: Width.Type, _ i: Instruction, _ m: KernelMemory, _ start: BroadcastRows) {
        let (sa, sb) = (start.step0, start.step1)
        if start.length >= 4 {
            switch (sa, sb) {
            case (1, 1): return forward(Width.self, Contiguous.self, Contiguous.self, i, m, start)
            case (1, 0): return forward(Width.self, Contiguous.self, Repeated.self, i, m, start)
            case (0, 1): return forward(Width.self, Repeated.self, Contiguous.self, i, m, start)
            default: break
            }
        }
        var rows = start
        let k = Width.length(i.length)
        let (ka, kb) = (i.batchStride0, i.batchStride1)
        let a = m.values + i.input0, b = m.values + i.input1
        var y = m.values + i.output
        let contiguous = ka == 1 && kb == 1 && k >= 8
        if contiguous && sb == 0 && rows.length >= 4 {
            // Rows of a table against one vector (a design matrix times
            // weights): four rows share each load of the vector.
            for _ in 0..<rows.count {
                if InstructionSet.current.hasAVX2 {
                    TableProducts.dotRows(a + rows.offset0, rowStep: sa, b + rows.offset1, count: k, into: y,
                                          rows: rows.length)
                } else {
                    RowProducts.dotRows(a + rows.offset0, rowStep: sa, b + rows.offset1, count: k, into: y,
                                        rows: rows.length)
                }
                y += rows.length
                rows.advance()
            }
            return
        }
        for _ in 0..<rows.count {
            let pa = a + rows.offset0, pb = b + rows.offset1
            for j in 0..<rows.length {
                let ra = pa + j * sa, rb = pb + j * sb
                if contiguous {
                    y[j] = RowProducts.dot(ra, rb, count: k)
                } else {
                    var total = ra[0] * rb[0]
                    for c in 1..<k { total += ra[c * ka] * rb[c * kb] }
                    y[j] = total
                }
            }
            y += rows.length
            rows.advance()
        }
    }

    /// Four outputs of a row at a time; each factor contiguous or constant
    /// along the row (`A`, `B`).
    @inline(__always)
    static func forward<Width: RowWidth, A: RowStep, B: RowStep>(
        _: Width.Type, _: A.Type, _: B.Type, _ i: Instruction, _ m: KernelMemory, _ start: BroadcastRows
    ) {
        var rows = start
        let k = Width.length(i.length)
        let (ka, kb) = (i.batchStride0, i.batchStride1)
        let a = m.values + i.input0, b = m.values + i.input1
        var y = m.values + i.output
        let n = rows.length
        for _ in 0..<rows.count {
            let pa = a + rows.offset0, pb = b + rows.offset1
            var j = 0
            while j + 4 <= n {
                var total = A.load(pa, j) * B.load(pb, j)
                for c in 1..<k { total += A.load(pa + c * ka, j) * B.load(pb + c * kb, j) }
                y.setVector(total, at: j)
                j += 4
            }
            while j < n {
                var total = A.element(pa, j) * B.element(pb, j)
                for c in 1..<k { total += A.element(pa + c * ka, j) * B.element(pb + c * kb, j) }
                y[j] = total
                j += 1
            }
            y += n
            rows.advance()
        }
    }

    // MARK: Backward

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.gradient0 >= 0 {
            if i.overwrites(0) { backward(FirstFactor.self, Overwrite.self, i, m) } else { backward(FirstFactor.self, Accumulate.self, i, m) }
        }
        if i.gradient1 >= 0 {
            if i.overwrites(1) { backward(SecondFactor.self, Overwrite.self, i, m) } else { backward(SecondFactor.self, Accumulate.self, i, m) }
        }
    }

    /// The gradient of one factor (`Side`); the other factor multiplies.
    @inline(__always)
    static func backward<Side: ContractionSide, Store: GradientStore>(_: Side.Type, _: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let rows = BroadcastRows(m, geometry: i.geometry)
        switch i.length {
        case 2: if !backwardInBlocks(Side.self, Store.self, Width2.self, i, m, rows) { backward(Side.self, Store.self, Width2.self, i, m, rows) }
        case 3: if !backwardInBlocks(Side.self, Store.self, Width3.self, i, m, rows) { backward(Side.self, Store.self, Width3.self, i, m, rows) }
        case 4: if !backwardInBlocks(Side.self, Store.self, Width4.self, i, m, rows) { backward(Side.self, Store.self, Width4.self, i, m, rows) }
        default: backward(Side.self, Store.self, AnyWidth.self, i, m, rows)
        }
    }

    @inline(__always)
    static func backward<Side: ContractionSide, Store: GradientStore, Width: RowWidth>(
        _: Side.Type, _: Store.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory, _ start: BroadcastRows
    ) {
        var rows = start
        let k = Width.length(i.length)
        let own = m.gradients + Side.gradient(i)
        let other = m.values + Side.otherInput(i)
        let (kOwn, kOther) = (Side.ownStride(i), Side.otherStride(i))
        let (sOwn, sOther) = (Side.ownStep(start), Side.otherStep(start))
        let g = m.gradients + i.outputGradient
        let n = rows.length
        var out = 0
        let layout = start.layout(ofOperand: Side.index)
        if k <= 4 && layout == .singleElement {
            // The factor is the same for every output (a table of K values,
            // a class's log-probabilities): sum into a register, store once.
            var total = Vector4(repeating: 0)
            for _ in 0..<rows.count {
                let po = other + Side.otherOffset(rows)
                for j in 0..<n {
                    let v = g[out + j]
                    let ro = po + j * sOther
                    for c in 0..<k { total[c] += v * ro[c * kOther] }
                }
                out += n
                rows.advance()
            }
            for c in 0..<k { Store.store(total[c], at: own + c * kOwn) }
            return
        }
        if sOwn == 0 && kOwn == 1 && kOther == 1 && k >= 8 && n >= 4 {
            // A vector shared by the row's outputs (weights against a design
            // matrix): its gradient is Σ_j g[j] · other row j, summed in
            // registers sixteen columns at a time and stored once per row.
            for _ in 0..<rows.count {
                let (table, target) = (other + Side.otherOffset(rows), own + Side.ownOffset(rows))
                let overwrite = Store.self == Overwrite.self
                if InstructionSet.current.hasAVX2 {
                    TableProducts.accumulateRows(table, rowStep: sOther, g + out, rows: n, count: k, into: target,
                                                 overwrite: overwrite)
                } else {
                    RowProducts.accumulateRows(table, rowStep: sOther, g + out, rows: n, count: k, into: target,
                                               overwrite: overwrite)
                }
                out += n
                rows.advance()
            }
            return
        }
        if n >= 4 && sOwn <= 1 && sOther <= 1 && kOwn != 0 {
            if sOwn == 1 && sOther == 1 {
                return backwardRows(Side.self, Store.self, Width.self, Contiguous.self, Contiguous.self, i, m, start)
            } else if sOwn == 1 {
                return backwardRows(Side.self, Store.self, Width.self, Contiguous.self, Repeated.self, i, m, start)
            } else if sOther == 1 {
                return backwardRows(Side.self, Store.self, Width.self, Repeated.self, Contiguous.self, i, m, start)
            }
        }
        for _ in 0..<rows.count {
            let po = other + Side.otherOffset(rows)
            let pw = own + Side.ownOffset(rows)
            for j in 0..<n {
                let v = g[out + j]
                let ro = po + j * sOther, rw = pw + j * sOwn
                if kOwn == 1 && kOther == 1 && k >= 8 {
                    Store.storeScaled(v, ro, at: rw, count: k)
                } else if kOwn == 0 {
                    // The factor is constant along the contracted axis.
                    var total = ro[0]
                    for c in 1..<k { total += ro[c * kOther] }
                    Store.store(v * total, at: rw)
                } else {
                    for c in 0..<k { Store.store(v * ro[c * kOther], at: rw + c * kOwn) }
                }
            }
            out += n
            rows.advance()
        }
    }

    /// Along an output row where the factor and the multiplier are each
    /// contiguous or constant: a contiguous factor gets `g · other` four
    /// outputs at a time; a factor constant along the row (one element per
    /// row and `k`, as a `[K, 1]` enumeration table against a plate) gets
    /// the row's sum, accumulated in four lanes and stored once.
    @inline(__always)
    static func backwardRows<Side: ContractionSide, Store: GradientStore, Width: RowWidth, Own: RowStep, Other: RowStep>(
        _: Side.Type, _: Store.Type, _: Width.Type, _: Own.Type, _: Other.Type, _ i: Instruction, _ m: KernelMemory,
        _ start: BroadcastRows
    ) {
        var rows = start
        let k = Width.length(i.length)
        let own = m.gradients + Side.gradient(i)
        let other = m.values + Side.otherInput(i)
        let (kOwn, kOther) = (Side.ownStride(i), Side.otherStride(i))
        var g = m.gradients + i.outputGradient
        let n = rows.length
        for _ in 0..<rows.count {
            let po = other + Side.otherOffset(rows)
            let pw = own + Side.ownOffset(rows)
            if Own.isContiguous {
                var j = 0
                while j + 4 <= n {
                    let v = g.vector(at: j)
                    for c in 0..<k { Store.store(v * Other.load(po + c * kOther, j), at: pw + c * kOwn + j) }
                    j += 4
                }
                while j < n {
                    let v = g[j]
                    for c in 0..<k { Store.store(v * Other.element(po + c * kOther, j), at: pw + c * kOwn + j) }
                    j += 1
                }
            } else {
                for c in 0..<k {
                    let pc = po + c * kOther
                    var lanes = Vector4(repeating: 0)
                    var j = 0
                    while j + 4 <= n {
                        lanes += g.vector(at: j) * Other.load(pc, j)
                        j += 4
                    }
                    var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
                    while j < n {
                        total += g[j] * Other.element(pc, j)
                        j += 1
                    }
                    Store.store(total, at: pw + c * kOwn)
                }
            }
            g += n
            rows.advance()
        }
    }
}

// MARK: Steps along a row

/// How a factor moves along an output row: contiguously (step 1) or not at
/// all (step 0, broadcast). Four consecutive outputs read four consecutive
/// elements, or one element four times.
protocol RowStep {
    static var isContiguous: Bool { get }
    static func load(_ p: UnsafeMutablePointer<Double>, _ j: Int) -> Vector4
    static func element(_ p: UnsafeMutablePointer<Double>, _ j: Int) -> Double
}

enum Contiguous: RowStep {
    static var isContiguous: Bool { true }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Double>, _ j: Int) -> Vector4 { p.vector(at: j) }
    @inline(__always) static func element(_ p: UnsafeMutablePointer<Double>, _ j: Int) -> Double { p[j] }
}

enum Repeated: RowStep {
    static var isContiguous: Bool { false }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Double>, _ j: Int) -> Vector4 { Vector4(repeating: p[0]) }
    @inline(__always) static func element(_ p: UnsafeMutablePointer<Double>, _ j: Int) -> Double { p[0] }
}

// MARK: Factor sides

/// Which factor of a contraction a backward loop differentiates.
protocol ContractionSide {
    static var index: Int { get }
    static func gradient(_ i: Instruction) -> Int
    static func otherInput(_ i: Instruction) -> Int
    static func ownStride(_ i: Instruction) -> Int
    static func otherStride(_ i: Instruction) -> Int
    static func ownStep(_ rows: BroadcastRows) -> Int
    static func otherStep(_ rows: BroadcastRows) -> Int
    static func ownOffset(_ rows: BroadcastRows) -> Int
    static func otherOffset(_ rows: BroadcastRows) -> Int
}

enum FirstFactor: ContractionSide {
    static var index: Int { 0 }
    @inline(__always) static func gradient(_ i: Instruction) -> Int { i.gradient0 }
    @inline(__always) static func otherInput(_ i: Instruction) -> Int { i.input1 }
    @inline(__always) static func ownStride(_ i: Instruction) -> Int { i.batchStride0 }
    @inline(__always) static func otherStride(_ i: Instruction) -> Int { i.batchStride1 }
    @inline(__always) static func ownStep(_ rows: BroadcastRows) -> Int { rows.step0 }
    @inline(__always) static func otherStep(_ rows: BroadcastRows) -> Int { rows.step1 }
    @inline(__always) static func ownOffset(_ rows: BroadcastRows) -> Int { rows.offset0 }
    @inline(__always) static func otherOffset(_ rows: BroadcastRows) -> Int { rows.offset1 }
}

enum SecondFactor: ContractionSide {
    static var index: Int { 1 }
    @inline(__always) static func gradient(_ i: Instruction) -> Int { i.gradient1 }
    @inline(__always) static func otherInput(_ i: Instruction) -> Int { i.input0 }
    @inline(__always) static func ownStride(_ i: Instruction) -> Int { i.batchStride1 }
    @inline(__always) static func otherStride(_ i: Instruction) -> Int { i.batchStride0 }
    @inline(__always) static func ownStep(_ rows: BroadcastRows) -> Int { rows.step1 }
    @inline(__always) static func otherStep(_ rows: BroadcastRows) -> Int { rows.step0 }
    @inline(__always) static func ownOffset(_ rows: BroadcastRows) -> Int { rows.offset1 }
    @inline(__always) static func otherOffset(_ rows: BroadcastRows) -> Int { rows.offset0 }
}
