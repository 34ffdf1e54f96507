/// The table-against-vector products of `Gumbo`'s contractions
/// (`RowProducts.swift`, linked into this folder) compiled for AVX2: each
/// `SIMD4<Double>` operation one 256-bit instruction. No operation is
/// fused, so the results are those of `Gumbo`'s baseline build bit for bit.
/// Same conditions as ``DoubleProducts``: call only after checking the
/// processor.
public enum TableProducts {
    public typealias Pointer = UnsafeMutablePointer<Double>

    /// `y[j] = Σ_c a[j·rowStep + c] · b[c]` for `j < rows`.
    public static func dotRows(_ a: Pointer, rowStep: Int, _ b: Pointer, count: Int, into y: Pointer, rows: Int) {
        RowProducts.dotRows(a, rowStep: rowStep, b, count: count, into: y, rows: rows)
    }

    /// `own[c] (=|+=) Σ_j g[j] · other[j·rowStep + c]` for `c < count`.
    public static func accumulateRows(_ other: Pointer, rowStep: Int, _ g: Pointer, rows: Int, count: Int,
                                      into own: Pointer, overwrite: Bool) {
        RowProducts.accumulateRows(other, rowStep: rowStep, g, rows: rows, count: count, into: own,
                                   overwrite: overwrite)
    }
}
