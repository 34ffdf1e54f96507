/// The length of the short rows a kernel loops over, as a type, so that a
/// specialized kernel has it as a compile-time constant.
///
/// Discrete models are full of `[N, K]` tensors with a small class count `K`
/// (2 to 4 in W2–W4, 8 in W5): the inner loop over `K` runs thousands of
/// times and pays its loop overhead each time unless the compiler knows `K`
/// and unrolls it. Kernels are generic over a `RowWidth`, and dispatch once
/// per instruction to ``Width2``, ``Width3``, ``Width4``, ``Width8`` (where
/// a kernel has a path for it) or ``AnyWidth``, whose `length` returns the
/// runtime value.
///
/// A type rather than an `@inline(__always)` function with a literal
/// argument: the optimizer may decline to inline a large specialized
/// kernel, and then the literal is lost (measured: the W3 backward pass
/// slowed by half); a generic parameter survives specialization.
protocol RowWidth {
    static func length(_ runtime: Int) -> Int
}

enum Width2: RowWidth {
    @inline(__always) static func length(_ runtime: Int) -> Int { 2 }
}

enum Width3: RowWidth {
    @inline(__always) static func length(_ runtime: Int) -> Int { 3 }
}

enum Width4: RowWidth {
    @inline(__always) static func length(_ runtime: Int) -> Int { 4 }
}

enum Width8: RowWidth {
    @inline(__always) static func length(_ runtime: Int) -> Int { 8 }
}

enum AnyWidth: RowWidth {
    @inline(__always) static func length(_ runtime: Int) -> Int { runtime }
}
