import Testing
@testable import Gumbo
import GumboAVX2

/// The nonzero scan of a product's left operand, both copies (baseline in
/// `Gumbo`, AVX2 in `GumboAVX2`), against a naive list: the positions by
/// row and by column, in increasing order, for shapes whose rows and
/// columns span several 64-entry mask words and end in partial groups of
/// four; `−0` is a zero, a NaN and a subnormal are nonzeros; one nonzero
/// past the capacity gives up.
@Suite("Nonzero positions of a sparse left operand")
struct NonzeroPositionsTests {
    static var runnable: [InstructionSet] {
        InstructionSet.processorHasHaswellFeatures() ? [.baseline, .avx2] : [.baseline]
    }

    /// `rows × depth` entries, about one in `spacing` nonzero, with a NaN,
    /// a subnormal and some `−0` among them.
    static func operand(rows: Int, depth: Int, spacing: UInt64, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        var a = (0..<rows * depth).map { _ in random.next() % spacing == 0 ? Double(random.next() % 7) + 1 : 0 }
        a[rows * depth / 2] = -0.0
        if rows * depth > 3 {
            a[1] = .nan
            a[rows * depth - 1] = Double.leastNonzeroMagnitude
        }
        return a
    }

    /// The positions `compress` writes: each line's entries, by row or column.
    static func scan(_ a: [Double], rows: Int, depth: Int, capacity: Int, byColumns: Bool,
                     _ instructions: InstructionSet) -> [[Int]]? {
        var a = a
        let masks = NonzeroPositions.maskCount(rows: rows, depth: depth)
        var positions = [Int](repeating: -1, count: max(rows, depth) + 2 + rows * depth)
        var scratch = [UInt64](repeating: .max, count: masks)
        let found = a.withUnsafeMutableBufferPointer { a in
            positions.withUnsafeMutableBufferPointer { positions in
                scratch.withUnsafeMutableBytes { scratch in
                    instructions.hasAVX2
                        ? SparseScan.compress(a.baseAddress!, rows: rows, depth: depth, capacity: capacity,
                                              byColumns: byColumns, into: positions.baseAddress!,
                                              masks: scratch.baseAddress!)
                        : NonzeroPositions.compress(a.baseAddress!, rows: rows, depth: depth, capacity: capacity,
                                                    byColumns: byColumns, into: positions.baseAddress!,
                                                    masks: scratch.baseAddress!)
                }
            }
        }
        guard found else { return nil }
        let lines = byColumns ? depth : rows
        return (0..<lines).map { line in
            (positions[line]..<positions[line + 1]).map { positions[lines + 1 + $0] }
        }
    }

    static func naive(_ a: [Double], rows: Int, depth: Int, byColumns: Bool) -> [[Int]] {
        func nonzero(_ x: Double) -> Bool { x.isNaN || x != 0 }
        return byColumns
            ? (0..<depth).map { p in (0..<rows).filter { nonzero(a[$0 * depth + p]) } }
            : (0..<rows).map { r in (0..<depth).filter { nonzero(a[r * depth + $0]) } }
    }

    @Test("positions by row and by column equal the naive lists", arguments: runnable)
    func positions(_ instructions: InstructionSet) {
        for (rows, depth) in [(1, 1), (3, 5), (7, 64), (65, 3), (130, 70), (100, 64), (64, 129)] {
            for spacing: UInt64 in [1, 3, 8] {
                let a = Self.operand(rows: rows, depth: depth, spacing: spacing, seed: UInt64(rows * 1000 + depth))
                for byColumns in [false, true] {
                    let expected = Self.naive(a, rows: rows, depth: depth, byColumns: byColumns)
                    let count = expected.reduce(0) { $0 + $1.count }
                    let found = Self.scan(a, rows: rows, depth: depth, capacity: count, byColumns: byColumns,
                                          instructions)
                    #expect(found == expected, "\(rows)×\(depth), 1 in \(spacing), by columns \(byColumns)")
                    if count > 0 {
                        #expect(Self.scan(a, rows: rows, depth: depth, capacity: count - 1, byColumns: byColumns,
                                          instructions) == nil, "one past capacity, \(rows)×\(depth)")
                    }
                }
            }
        }
    }

    @Test("kept row positions rearranged by column equal the naive lists by column")
    func transposedPositions() {
        for (rows, depth) in [(1, 1), (3, 5), (7, 64), (65, 3), (130, 70), (100, 64)] {
            for spacing: UInt64 in [1, 3, 8] {
                let a = Self.operand(rows: rows, depth: depth, spacing: spacing, seed: UInt64(rows * 7 + depth))
                let byRows = Self.naive(a, rows: rows, depth: depth, byColumns: false)
                var kept = [0] + byRows.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1.count) }
                kept += byRows.flatMap { $0 }
                var columns = [Int](repeating: -1, count: depth + 1 + kept.count)
                kept.withUnsafeMutableBufferPointer { kept in
                    columns.withUnsafeMutableBufferPointer { columns in
                        MatMulKernels.transposePositions(kept.baseAddress!, rows: rows, depth: depth,
                                                         into: columns.baseAddress!)
                    }
                }
                let found = (0..<depth).map { p in (columns[p]..<columns[p + 1]).map { columns[depth + 1 + $0] } }
                #expect(found == Self.naive(a, rows: rows, depth: depth, byColumns: true),
                        "\(rows)×\(depth), 1 in \(spacing)")
            }
        }
    }
}
