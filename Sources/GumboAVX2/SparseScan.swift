/// The nonzero scan of a product's left operand (`NonzeroPositions.swift`,
/// linked into this folder) compiled for AVX2, where counting four
/// nonzeros, or forming their bit masks, takes a few 256-bit instructions.
/// Same positions as `Gumbo`'s baseline copy. Same conditions as
/// ``DoubleProducts``: call only after checking the processor.
public enum SparseScan {
    /// `NonzeroPositions.compress`: `false` when `a` (`rows × depth`) has
    /// more than `capacity` nonzeros, else `true` with their positions by
    /// row (or by column) in `positions`, with `masks` as scratch.
    public static func compress(_ a: UnsafeMutablePointer<Double>, rows: Int, depth: Int, capacity: Int,
                                byColumns: Bool, into positions: UnsafeMutablePointer<Int>,
                                masks: UnsafeMutableRawPointer) -> Bool {
        NonzeroPositions.compress(a, rows: rows, depth: depth, capacity: capacity, byColumns: byColumns,
                                  into: positions, masks: masks)
    }
}
