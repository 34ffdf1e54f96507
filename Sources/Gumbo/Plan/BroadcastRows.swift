/// The row loop of a broadcasting instruction: walks the output one
/// innermost row at a time and keeps each operand's offset for that row.
///
///     var rows = BroadcastRows(memory, geometry: instruction.geometry)
///     for row in 0..<rows.count {
///         // output row starts at row · rows.length;
///         // operand k's row at rows.offset<k>, stepping rows.step<k> (0 or 1)
///         rows.advance()
///     }
///
/// Ranks 1 and 2 (almost every case) advance with one add per operand; higher
/// ranks carry like an odometer, using the plan's scratch counters. Nothing
/// is allocated.
struct BroadcastRows {
    /// Output rows.
    let count: Int
    /// Elements per row (the innermost extent).
    let length: Int
    /// Each operand's stride along the row: 0 (broadcast) or 1.
    let step0: Int
    let step1: Int
    let step2: Int
    let step3: Int
    /// Each operand's offset at the start of the current row.
    private(set) var offset0 = 0
    private(set) var offset1 = 0
    private(set) var offset2 = 0
    private(set) var offset3 = 0

    private let outerRank: Int
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
        outerRank = rank - 1
        var rows = 1
        for axis in 0..<outerRank { rows *= extents[axis] }
        count = rows
        counters = memory.counters
        for axis in 0..<outerRank { counters[axis] = 0 }
    }

    /// Moves every offset to the next output row.
    @inline(__always)
    mutating func advance() {
        var axis = outerRank - 1
        while axis >= 0 {
            offset0 &+= strides[axis]
            offset1 &+= strides[rank + axis]
            offset2 &+= strides[2 * rank + axis]
            offset3 &+= strides[3 * rank + axis]
            counters[axis] &+= 1
            if counters[axis] < extents[axis] { return }
            // Carry: rewind this axis and step the next outer one.
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
