/// How the operands of a broadcasting elementwise instruction line up with
/// its output, reduced to as few axes as possible.
///
/// Each operand gets a stride per output axis: its row-major stride where
/// it has that axis, 0 where it is broadcast. Output axes of extent 1 are
/// dropped, and neighbouring axes merge when every operand is contiguous
/// across them (`stride[outer] == stride[inner] · extent[inner]`). What is
/// left is usually one axis (equal shapes, or a scalar operand) or two
/// (`[N, 1]` against `[K]`), so the kernels' row loops are short and their
/// inner loops run over contiguous or constant operands: after collapsing,
/// an elementwise operand's innermost stride is always 0 or 1.
///
/// Encoded in the metadata arena as `[rank, extent₀ … extent_{r−1}, strides
/// of operand 0 (r values), …, strides of operand 3]`: always four operand
/// slots, absent operands all 0. See ``BroadcastRows`` for the loop.
struct BroadcastGeometry: Equatable {
    static let operandSlots = 4

    private(set) var extents: [Int]
    /// `strides[operand][axis]`.
    private(set) var strides: [[Int]]

    /// The geometry for an output of shape `output` read from operands of
    /// the given shapes (each broadcastable to `output`).
    init(output: Shape, operands: [Shape]) {
        self.init(extents: output.dimensions, strides: operands.map { Self.alignedStrides($0, output: output) })
    }

    /// The geometry from explicit per-operand strides along the output's
    /// axes (for gathers, whose table stride along the gathered axis is 0
    /// here and applied by the kernel).
    init(extents outputExtents: [Int], strides operandStrides: [[Int]]) {
        precondition(operandStrides.count <= Self.operandSlots)
        let operands = operandStrides.indices
        var extents: [Int] = []
        var strides = [[Int]](repeating: [], count: operandStrides.count)
        for axis in outputExtents.indices where outputExtents[axis] != 1 {
            let extent = outputExtents[axis]
            if let last = extents.indices.last,
               operands.allSatisfy({ strides[$0][last] == operandStrides[$0][axis] * extent }) {
                extents[last] *= extent
                for k in operands { strides[k][last] = operandStrides[k][axis] }
            } else {
                extents.append(extent)
                for k in operands { strides[k].append(operandStrides[k][axis]) }
            }
        }
        if extents.isEmpty {
            extents = [1]
            strides = strides.map { _ in [0] }
        }
        self.extents = extents
        self.strides = strides
    }

    var rank: Int { extents.count }

    /// Appends the encoding to `metadata` and returns where it starts.
    func encode(into metadata: inout [Int]) -> Int {
        let start = metadata.count
        metadata.append(rank)
        metadata.append(contentsOf: extents)
        for k in 0..<Self.operandSlots {
            metadata.append(contentsOf: k < strides.count ? strides[k] : [Int](repeating: 0, count: rank))
        }
        return start
    }

    /// The operand's strides along the output's axes, 0 where it broadcasts.
    static func alignedStrides(_ shape: Shape, output: Shape) -> [Int] {
        let own = shape.strides
        let offset = output.rank - shape.rank
        return (0..<output.rank).map { axis in
            axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
        }
    }
}
