/// Forward and backward loops of ``Opcode/sum`` and ``Opcode/mean``.
///
/// The input is viewed as `outer × length × inner` (row-major), reduced over
/// the middle extent; a sum of every element is `1 × count × 1`. The result
/// is multiplied by `constant0` (1 for a sum, `1/length` for a mean), and the
/// backward pass spreads `constant0 · g` over the reduced axis.
///
/// A long contiguous line is summed in eight lanes (two `SIMD4`
/// accumulators) rather than one chain of dependent additions, which the
/// adder's latency would limit to one element every three or four cycles.
/// The lanes are combined in a fixed order, so a sum is the same on every
/// run; it differs from the one-chain sum only by rounding.
enum ReduceKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let (outer, length, inner, scale) = (i.outer, i.length, i.inner, i.constant0)
        if inner == 1 {
            switch length {
            case 2: forwardRows(Width2.self, x, y, outer: outer, length: 2, scale: scale)
            case 3: forwardRows(Width3.self, x, y, outer: outer, length: 3, scale: scale)
            case 4: forwardRows(Width4.self, x, y, outer: outer, length: 4, scale: scale)
            default:
                for o in 0..<outer { y[o] = sum(x + o * length, count: length) * scale }
            }
            return
        }
        for o in 0..<outer {
            let out = y + o * inner
            let first = x + o * length * inner
            var k = 0
            while k + 4 <= inner {
                var total = first.vector(at: k)
                for j in 1..<length { total += first.vector(at: j * inner + k) }
                out.setVector(total * scale, at: k)
                k += 4
            }
            while k < inner {
                var total = first[k]
                for j in 1..<length { total += first[j * inner + k] }
                out[k] = total * scale
                k += 1
            }
        }
    }

    @inline(__always)
    static func forwardRows<Width: RowWidth>(_: Width.Type, _ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                                             outer: Int, length: Int, scale: Double) {
        let n = Width.length(length)
        for o in 0..<outer {
            let row = x + o * n
            var total = row[0]
            for j in 1..<n { total += row[j] }
            y[o] = total * scale
        }
    }

    /// `Σ x[0..<count]` in eight lanes, combined in a fixed order.
    @inline(__always)
    static func sum(_ x: UnsafeMutablePointer<Double>, count: Int) -> Double {
        var a = Vector4(repeating: 0), b = Vector4(repeating: 0)
        var j = 0
        while j + 8 <= count {
            a += x.vector(at: j)
            b += x.vector(at: j + 4)
            j += 8
        }
        let lanes = a + b
        var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        while j < count {
            total += x[j]
            j += 1
        }
        return total
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backward(Overwrite.self, i, m) } else { backward(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backward<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let g = m.gradients + i.outputGradient
        let gx = m.gradients + i.gradient0
        let (outer, length, inner, scale) = (i.outer, i.length, i.inner, i.constant0)
        if inner == 1 {
            switch length {
            case 2: backwardRows(Store.self, Width2.self, g, gx, outer: outer, length: 2, scale: scale)
            case 3: backwardRows(Store.self, Width3.self, g, gx, outer: outer, length: 3, scale: scale)
            case 4: backwardRows(Store.self, Width4.self, g, gx, outer: outer, length: 4, scale: scale)
            default:
                for o in 0..<outer { fill(Store.self, gx + o * length, count: length, value: g[o] * scale) }
            }
            return
        }
        for o in 0..<outer {
            let source = g + o * inner
            for j in 0..<length {
                let row = gx + (o * length + j) * inner
                var k = 0
                while k + 4 <= inner {
                    Store.store(source.vector(at: k) * scale, at: row + k)
                    k += 4
                }
                while k < inner {
                    Store.store(source[k] * scale, at: row + k)
                    k += 1
                }
            }
        }
    }

    @inline(__always)
    static func backwardRows<Store: GradientStore, Width: RowWidth>(
        _: Store.Type, _: Width.Type, _ g: UnsafeMutablePointer<Double>, _ gx: UnsafeMutablePointer<Double>,
        outer: Int, length: Int, scale: Double
    ) {
        let n = Width.length(length)
        for o in 0..<outer {
            let v = g[o] * scale
            for j in 0..<n { Store.store(v, at: gx + o * n + j) }
        }
    }

    /// `count` elements from `target` set to (or increased by) `value`.
    @inline(__always)
    static func fill<Store: GradientStore>(_: Store.Type, _ target: UnsafeMutablePointer<Double>, count: Int, value: Double) {
        let v = Vector4(repeating: value)
        var j = 0
        while j + 4 <= count {
            Store.store(v, at: target + j)
            j += 4
        }
        while j < count {
            Store.store(value, at: target + j)
            j += 1
        }
    }
}
