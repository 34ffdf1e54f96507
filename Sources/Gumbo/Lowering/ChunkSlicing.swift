/// What a chunk of a threaded run (``ELBOChunk``) takes of the values its
/// plate indexes, at compile time rather than by gathering each step.
///
/// A chunk is lowered as a minibatch of its plate's elements
/// `start ..< start + count`. Gathering every value indexed by the plate
/// would cost a pass over each (and its gradient) per step, and a full-size
/// gradient per chunk for every parameter. Instead:
/// - observed data and constants indexed by the plate become constants of
///   the chunk's rows alone;
/// - a *sliced* parameter, one read only as `φ[i]` for the chunk's plate
///   `i` (as W3's `phi`), becomes an input of the chunk's rows alone, so its
///   gradient in the chunk is exactly those rows' gradient, and the chunks
///   together hold it whole with no reduction.
///
/// Anything else indexed by the plate (a value computed from a parameter
/// used whole, say) is still gathered by the chunk's index input.
struct ChunkSlicing {
    /// The chunk's plate, in the layout.
    let plate: Int
    /// Its first element.
    let start: Int
    /// The parameters lowered as the chunk's rows alone.
    let slicedParameters: Set<String>

    /// The parameters every program reads only by indexing their first
    /// axis with `plate` (`φ[i]`): those a chunk of the plate needs only
    /// its rows of. A rank-1 simplex parameter is never one (its softmax
    /// runs across the rows), nor is one a program reads whole.
    static func sliceableParameters(_ compiled: CompiledModel, plate: String) -> Set<String> {
        var sliceable: [String: Bool] = [:]
        for program in [compiled.model, compiled.guide] {
            let size = program.plates.first { $0.name == plate }?.size
            for node in program.nodes {
                guard case .parameter(let name, _, let constraint) = node.kind else { continue }
                let rowwise: Bool
                if case .simplex = constraint { rowwise = node.eventShape.count >= 2 } else { rowwise = true }
                let fits = size != nil && node.eventShape.first == size && rowwise
                    && program.nodes.allSatisfy { reader in
                        guard reader.inputs.contains(node.id) else { return true }
                        if case .operation(.plateIndex(let id)) = reader.kind { return program[plate: id].name == plate }
                        return false
                    }
                sliceable[name] = (sliceable[name] ?? true) && fits
            }
        }
        return Set(sliceable.filter(\.value).keys)
    }

    /// Rows `start ..< start + count` along the middle axis of row-major
    /// data viewed as `outer × extent × rowSize`.
    static func rows(of data: [Double], outer: Int, extent: Int, rowSize: Int, start: Int, count: Int) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(outer * count * rowSize)
        for o in 0..<outer {
            let base = (o * extent + start) * rowSize
            result += data[base..<(base + count * rowSize)]
        }
        return result
    }
}
