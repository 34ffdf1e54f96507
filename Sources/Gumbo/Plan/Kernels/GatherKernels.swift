/// Forward and backward loops of ``Opcode/gather``:
/// `y[…, j, …] = table[…, indices[…, j, …], …]` along one axis, the other
/// axes broadcast (numpy's `take_along_axis`).
///
/// The instruction's ``BroadcastGeometry`` walks the output with operand 0 =
/// the table (stride 0 along the gathered axis) and operand 1 = the
/// indices; the kernel adds `index · tableStride` (``Instruction/inner``)
/// and checks `index < extent` (``Instruction/length``). The backward pass
/// scatters: `∂table[…, indices[j], …] += ∂y[j]`.
enum GatherKernels {
    static func forward(_ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let table = m.values + i.input0
        let indices = m.indices + i.input1
        var y = m.values + i.output
        let (n, extent, axisStride) = (rows.length, i.length, i.inner)
        let (st, si) = (rows.step0, rows.step1)
        if si == 0 && st == 1 {
            // One index per row reading a contiguous row of the table
            // (embedding rows, W5's minibatch of images): a copy per row.
            for _ in 0..<rows.count {
                let k = Int(indices[rows.offset1])
                precondition(k >= 0 && k < extent, "gather: index out of range 0..<extent")
                y.update(from: table + rows.offset0 + k * axisStride, count: n)
                y += n
                rows.advance()
            }
            return
        }
        for _ in 0..<rows.count {
            let t = table + rows.offset0, index = indices + rows.offset1
            for j in 0..<n {
                let k = Int(index[j * si])
                precondition(k >= 0 && k < extent, "gather: index out of range 0..<extent")
                y[j] = t[j * st + k * axisStride]
            }
            y += n
            rows.advance()
        }
    }

    static func backward(_ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let gTable = m.gradients + i.gradient0
        let indices = m.indices + i.input1
        var g = m.gradients + i.outputGradient
        let (n, axisStride) = (rows.length, i.inner)
        let (st, si) = (rows.step0, rows.step1)
        for _ in 0..<rows.count {
            let t = gTable + rows.offset0, index = indices + rows.offset1
            for j in 0..<n { t[j * st + Int(index[j * si]) * axisStride] += g[j] }
            g += n
            rows.advance()
        }
    }
}
