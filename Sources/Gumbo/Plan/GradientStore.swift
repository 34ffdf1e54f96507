/// How a backward kernel stores a gradient contribution: added to what the
/// slot holds, or written over it.
///
/// The compiler lets the *first* instruction of the backward pass that
/// writes a gradient slot overwrite it when that instruction writes every
/// element of the slot exactly once (no broadcast reduction into it). Such
/// slots need not be zeroed before the pass, and their first write costs no
/// read. Every other write accumulates. Kernels are generic over the store,
/// so each loop is compiled once per mode with no branch inside.
protocol GradientStore {
    static func store(_ value: Double, at pointer: UnsafeMutablePointer<Double>)
    /// Four consecutive elements at once.
    static func store(_ value: Vector4, at pointer: UnsafeMutablePointer<Double>)
}

/// `slot += value`.
enum Accumulate: GradientStore {
    @inline(__always)
    static func store(_ value: Double, at pointer: UnsafeMutablePointer<Double>) {
        pointer.pointee += value
    }

    @inline(__always)
    static func store(_ value: Vector4, at pointer: UnsafeMutablePointer<Double>) {
        pointer.setVector(pointer.vector(at: 0) + value, at: 0)
    }
}

/// `slot = value`: the first, dense write of a slot.
enum Overwrite: GradientStore {
    @inline(__always)
    static func store(_ value: Double, at pointer: UnsafeMutablePointer<Double>) {
        pointer.pointee = value
    }

    @inline(__always)
    static func store(_ value: Vector4, at pointer: UnsafeMutablePointer<Double>) {
        pointer.setVector(value, at: 0)
    }
}

extension Instruction {
    /// Whether the gradient of input `position` is overwritten rather than
    /// accumulated.
    @inline(__always)
    func overwrites(_ position: Int) -> Bool {
        overwriteMask & (1 << position) != 0
    }
}

extension GradientStore {
    /// `target[j] (+)= g · source[j]` for `j < count`, four at a time.
    @inline(__always)
    static func storeScaled(_ g: Double, _ source: UnsafeMutablePointer<Double>,
                            at target: UnsafeMutablePointer<Double>, count: Int) {
        let scale = Vector4(repeating: g)
        var j = 0
        while j + 4 <= count {
            store(scale * source.vector(at: j), at: target + j)
            j += 4
        }
        while j < count {
            store(g * source[j], at: target + j)
            j += 1
        }
    }
}
