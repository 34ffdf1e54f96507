/// The backward half of ``Op/reshape`` and ``Op/straightThrough``, whose
/// forward pass is free (the output shares its input's storage):
/// `∂x += ∂y` elementwise.
enum PassGradientKernels {
    static func backward(_ i: Instruction, _ m: KernelMemory) {
        let g = m.gradients + i.outputGradient
        let gx = m.gradients + i.gradient0
        if i.overwrites(0) {
            gx.update(from: g, count: i.count)
        } else {
            for j in 0..<i.count { gx[j] += g[j] }
        }
    }
}
