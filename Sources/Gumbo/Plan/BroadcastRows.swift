/// The row loop of a broadcasting instruction: walks the output one
/// innermost row at a time and keeps each operand's offset for that row.
///
///     var rows = BroadcastRows(memory, geometry: instruction.geometry)
///     for row in 0..<rows.count {
///         // output row starts at row · rows.length;
///         // operand k's row at rows.offset<k>, stepping rows.step<k>
///         rows.advance()
///     }
///
/// Moving to the next row adds each operand's stride along the innermost
/// outer axis; only when that axis wraps (rank 3 and above) does the
/// odometer carry into the axes further out, using the plan's scratch
/// counters. Nothing is allocated.
struct BroadcastRows {
    /// Output rows.
    let count: Int
    /// Elements per row (the innermost extent).
    let length: Int
    /// Each operand's stride along the row.
    let step0: Int
    let step1: Int
    let step2: Int
    let step3: Int
    /// Each operand's offset at the start of the current row.
    private(set) var offset0 = 0
    private(set) var offset1 = 0
    private(set) var offset2 = 0
    private(set) var offset3 = 0

    /// Each operand's stride along the innermost outer axis.
    let rowStride0: Int
    let rowStride1: Int
    let rowStride2: Int
    let rowStride3: Int
    /// Rows before the innermost outer axis wraps (`count` when it never does).
    private let rowsPerWrap: Int
    private var rowInWrap = 0

    private let extents: UnsafeMutablePointer<Int>
    private let strides: UnsafeMutablePointer<Int>
    private let rank: Int
    private let counters: UnsafeMutablePointer<Int>

    @inline(__always)
    init(_ memory: KernelMemory, geometry: Int) {
        let base = memory.metadata + geometry
        rank = base[0]
        extents = base + 1
        strides = base + 1 + rank
        length = extents[rank - 1]
        step0 = strides[rank - 1]
        step1 = strides[2 * rank - 1]
        step2 = strides[3 * rank - 1]
        step3 = strides[4 * rank - 1]
        var rows = 1
        for axis in 0..<(rank - 1) { rows *= extents[axis] }
        count = rows
        counters = memory.counters
        if rank >= 2 {
            let axis = rank - 2
            rowStride0 = strides[axis]
            rowStride1 = strides[rank + axis]
            rowStride2 = strides[2 * rank + axis]
            rowStride3 = strides[3 * rank + axis]
            rowsPerWrap = extents[axis]
            for outer in 0..<axis { counters[outer] = 0 }
        } else {
            (rowStride0, rowStride1, rowStride2, rowStride3) = (0, 0, 0, 0)
            rowsPerWrap = 1
        }
    }

    /// How operand `k` is laid out across rows: every row reads the same
    /// elements (``Layout/oneRow``, a `[K]` against `[N, K]`, or
    /// ``Layout/singleElement``, a scalar), or it varies from row to row.
    enum Layout {
        case perRow
        case oneRow
        case singleElement
    }

    @inline(__always)
    func layout(ofOperand k: Int) -> Layout {
        for axis in 0..<(rank - 1) where strides[k * rank + axis] != 0 { return .perRow }
        return strides[k * rank + rank - 1] == 0 ? .singleElement : .oneRow
    }

    /// Whether every row starts at `row · rowStride<k>` from the first: the
    /// innermost outer axis never wraps before the last row (rank 2, or
    /// rank 1's single row), so a kernel may index rows directly.
    var isLinear: Bool { rowsPerWrap >= count }

    /// Moves every offset to the next output row.
    @inline(__always)
    mutating func advance() {
        offset0 &+= rowStride0
        offset1 &+= rowStride1
        offset2 &+= rowStride2
        offset3 &+= rowStride3
        rowInWrap &+= 1
        if rowInWrap == rowsPerWrap {
            rowInWrap = 0
            carry()
        }
    }

    /// The innermost outer axis wrapped: rewind it and step the axes further
    /// out like an odometer (ranks above 2 only; at rank 2 this runs once,
    /// after the last row).
    private mutating func carry() {
        let wrapped = rank - 2
        guard wrapped >= 0 else { return }
        offset0 &-= rowStride0 &* rowsPerWrap
        offset1 &-= rowStride1 &* rowsPerWrap
        offset2 &-= rowStride2 &* rowsPerWrap
        offset3 &-= rowStride3 &* rowsPerWrap
        var axis = wrapped - 1
        while axis >= 0 {
            offset0 &+= strides[axis]
            offset1 &+= strides[rank + axis]
            offset2 &+= strides[2 * rank + axis]
            offset3 &+= strides[3 * rank + axis]
            counters[axis] &+= 1
            if counters[axis] < extents[axis] { return }
            let extent = extents[axis]
            offset0 &-= strides[axis] &* extent
            offset1 &-= strides[rank + axis] &* extent
            offset2 &-= strides[2 * rank + axis] &* extent
            offset3 &-= strides[3 * rank + axis] &* extent
            counters[axis] = 0
            axis -= 1
        }
    }
}
