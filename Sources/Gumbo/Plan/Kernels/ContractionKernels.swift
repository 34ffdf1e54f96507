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
                dotRows(a + rows.offset0, rowStep: sa, b + rows.offset1, count: k, into: y, rows: rows.length)
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
                    y[j] = dot(ra, rb, count: k)
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

    /// `Σ a[c] b[c]` over contiguous factors, in eight lanes combined in a
    /// fixed order (as ``ReduceKernels/sum(_:count:)``).
    @inline(__always)
    static func dot(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, count: Int) -> Double {
        var s0 = Vector4(repeating: 0), s1 = Vector4(repeating: 0)
        var c = 0
        while c + 8 <= count {
            s0 += a.vector(at: c) * b.vector(at: c)
            s1 += a.vector(at: c + 4) * b.vector(at: c + 4)
            c += 8
        }
        let lanes = s0 + s1
        var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        while c < count {
            total += a[c] * b[c]
            c += 1
        }
        return total
    }

    /// `y[j] = Σ_c a[j·rowStep + c] · b[c]` for `j < rows`: four rows at a
    /// time, each row summing in four lanes (combined in a fixed order).
    /// Kept out of line: inlined into the generic forward loop, the compiler
    /// interleaved the four rows' lanes with shuffles and spills and the
    /// product ran at about half the speed.
    @inline(never)
    static func dotRows(_ a: UnsafeMutablePointer<Double>, rowStep: Int, _ b: UnsafeMutablePointer<Double>, count k: Int,
                        into y: UnsafeMutablePointer<Double>, rows n: Int) {
        var j = 0
        while j + 4 <= n {
            let r0 = a + j * rowStep, r1 = r0 + rowStep, r2 = r1 + rowStep, r3 = r2 + rowStep
            var s0 = Vector4(), s1 = Vector4(), s2 = Vector4(), s3 = Vector4()
            var c = 0
            while c + 4 <= k {
                let v = b.vector(at: c)
                s0 += r0.vector(at: c) * v
                s1 += r1.vector(at: c) * v
                s2 += r2.vector(at: c) * v
                s3 += r3.vector(at: c) * v
                c += 4
            }
            var totals = Vector4(s0.sum(), s1.sum(), s2.sum(), s3.sum())
            while c < k {
                totals += Vector4(r0[c], r1[c], r2[c], r3[c]) * b[c]
                c += 1
            }
            y.setVector(totals, at: j)
            j += 4
        }
        while j < n {
            y[j] = dot(a + j * rowStep, b, count: k)
            j += 1
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
                accumulateRows(Store.self, other + Side.otherOffset(rows), rowStep: sOther, g + out, rows: n,
                               count: k, into: own + Side.ownOffset(rows))
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

    /// `own[c] (+)= Σ_j g[j] · other[j·rowStep + c]` for `c < count`: the
    /// transposed product of a row-major table (a design matrix) with a
    /// vector of output gradients.
    ///
    /// The rows are taken in blocks of about 16 KB, so that the column
    /// sweeps of a block (sixteen columns at a time in registers, then four,
    /// then single columns) read it from the L1 cache: each row of the table
    /// is fetched from further out once, not once per sweep. Within a block
    /// each column's sum runs down the rows (single columns in four
    /// interleaved partial sums); the first block stores through `Store`,
    /// the others add to what it stored. Kept out of line: inlined into the
    /// generic callers, the compiler's code for these loops was slower.
    @inline(never)
    static func accumulateRows<Store: GradientStore>(
        _: Store.Type, _ other: UnsafeMutablePointer<Double>, rowStep: Int, _ g: UnsafeMutablePointer<Double>, rows n: Int,
        count k: Int, into own: UnsafeMutablePointer<Double>
    ) {
        let block = Swift.max(4, 2048 / Swift.max(rowStep, 1))
        let first = Swift.min(block, n)
        accumulateBlock(Store.self, other, rowStep: rowStep, g, rows: first, count: k, into: own)
        var j = first
        while j < n {
            let rows = Swift.min(block, n - j)
            accumulateBlock(Accumulate.self, other + j * rowStep, rowStep: rowStep, g + j, rows: rows, count: k, into: own)
            j += rows
        }
    }

    /// One block of ``accumulateRows(_:_:rowStep:_:rows:count:into:)``.
    @inline(__always)
    static func accumulateBlock<Store: GradientStore>(
        _: Store.Type, _ other: UnsafeMutablePointer<Double>, rowStep: Int, _ g: UnsafeMutablePointer<Double>, rows n: Int,
        count k: Int, into own: UnsafeMutablePointer<Double>
    ) {
        var c = 0
        while c + 16 <= k {
            var a0 = Vector4(), a1 = Vector4(), a2 = Vector4(), a3 = Vector4()
            for j in 0..<n {
                let v = Vector4(repeating: g[j])
                let row = other + j * rowStep + c
                a0 += v * row.vector(at: 0)
                a1 += v * row.vector(at: 4)
                a2 += v * row.vector(at: 8)
                a3 += v * row.vector(at: 12)
            }
            Store.store(a0, at: own + c)
            Store.store(a1, at: own + c + 4)
            Store.store(a2, at: own + c + 8)
            Store.store(a3, at: own + c + 12)
            c += 16
        }
        while c + 4 <= k {
            var a0 = Vector4(), a1 = Vector4()
            var j = 0
            while j + 2 <= n {
                a0 += Vector4(repeating: g[j]) * (other + j * rowStep).vector(at: c)
                a1 += Vector4(repeating: g[j + 1]) * (other + (j + 1) * rowStep).vector(at: c)
                j += 2
            }
            if j < n { a0 += Vector4(repeating: g[j]) * (other + j * rowStep).vector(at: c) }
            Store.store(a0 + a1, at: own + c)
            c += 4
        }
        while c < k {
            var t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0
            var j = 0
            while j + 4 <= n {
                t0 += g[j] * other[j * rowStep + c]
                t1 += g[j + 1] * other[(j + 1) * rowStep + c]
                t2 += g[j + 2] * other[(j + 2) * rowStep + c]
                t3 += g[j + 3] * other[(j + 3) * rowStep + c]
                j += 4
            }
            while j < n {
                t0 += g[j] * other[j * rowStep + c]
                j += 1
            }
            Store.store((t0 + t1) + (t2 + t3), at: own + c)
            c += 1
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
