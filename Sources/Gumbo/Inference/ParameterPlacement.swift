/// Where the elements of an ``SVI`` run's parameter vector live in its
/// chunks' plans.
///
/// The run's vector lays the parameters out as a one-thread plan does; the
/// optimizer's moments and checkpoints follow it. With one chunk it is that
/// plan's parameter block. With several (``SVIConfiguration/threads``) it
/// is stored in pieces:
/// - a *shared* parameter has a copy in every chunk. Its gradient is the
///   sum of the chunks' gradients, added in chunk order into chunk 0's
///   copy (the primary); once the primary is updated, it is copied to the
///   other chunks (the replicas).
/// - a *sliced* parameter (``ChunkSlicing``) is split by rows: chunk `k`
///   alone holds its elements' rows and their whole gradient, so those
///   need no reduction and no copies.
///
/// A threaded step's parameter work is split by ``slicedWork`` (chunk `k`'s
/// rows, for thread `k`, whose cache they were computed in) and
/// ``sharedWork`` (the shared elements in equal ranges). Which thread
/// handles an element never changes what is computed for it, so results
/// depend on the thread count only through the chunks.
final class ParameterPlacement {
    /// Elements `offset ..< offset + count` of the run's vector: at
    /// `values` and `gradients` in one chunk's plan, and copied at `replicas`.
    struct Piece {
        let offset: Int
        let count: Int
        let values: UnsafeMutablePointer<Double>
        let gradients: UnsafeMutablePointer<Double>
        let replicas: [(values: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Double>)]

        /// Elements `start ..< start + count` of this piece.
        func part(_ start: Int, count: Int) -> Piece {
            Piece(offset: offset + start, count: count, values: values + start, gradients: gradients + start,
                  replicas: replicas.map { ($0.values + start, $0.gradients + start) })
        }

        /// Adds each replica's gradient to the primary's, in chunk order.
        func reduceGradients() {
            for r in 0..<replicas.count {
                let part = replicas[r].gradients
                for i in 0..<count { gradients[i] += part[i] }
            }
        }

        /// Copies the primary's values to every replica.
        func refreshReplicas() {
            for r in 0..<replicas.count { replicas[r].values.update(from: values, count: count) }
        }

        /// Whether every gradient element is finite.
        var gradientsAreFinite: Bool { VectorMath.allFinite(gradients, count: count) }
    }

    /// The vector's length.
    let count: Int
    /// Every piece, in vector order; together they cover the vector.
    let pieces: [Piece]
    /// Per thread: chunk `k`'s sliced rows.
    let slicedWork: [[Piece]]
    /// Per thread: an equal share of the shared elements.
    let sharedWork: [[Piece]]
    /// How many elements are shared.
    let sharedCount: Int

    /// The placement of parameters `names` (of `counts` elements each, in
    /// the vector's order) in `chunks`, made from `specs` (all `nil` for
    /// one chunk).
    init(names: [String], counts: [Int], chunks: [TrainingChunk], specs: [ELBOChunk?]) throws {
        // Each chunk's block, by parameter name: where it starts and how long it is.
        var local: [[String: (offset: Int, count: Int)]] = []
        for chunk in chunks {
            var offsets: [String: (offset: Int, count: Int)] = [:]
            var next = 0
            for (name, input) in zip(chunk.plan.parameterNames, chunk.plan.parameterInputs) {
                offsets[name] = (next, input.shape.count)
                next += input.shape.count
            }
            local.append(offsets)
        }
        func location(_ chunk: Int, _ name: String, expecting count: Int) throws
            -> (values: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Double>) {
            guard let place = local[chunk][name], place.count == count else {
                throw SVIError.invalidConfiguration("chunk \(chunk) does not hold \(count) values of parameter '\(name)'")
            }
            return (chunks[chunk].parameters.baseAddress! + place.offset, chunks[chunk].gradients.baseAddress! + place.offset)
        }
        let sliced = chunks[0].plan.elbo.slicedParameters
        let plateSize = specs.reduce(0) { $0 + ($1?.count ?? 0) }
        var pieces: [Piece] = [], shared: [Piece] = []
        var slicedWork: [[Piece]] = Array(repeating: [], count: chunks.count)
        var offset = 0
        for (name, count) in zip(names, counts) {
            if sliced.contains(name) {
                let rowSize = count / plateSize
                for (k, spec) in specs.enumerated() {
                    let place = try location(k, name, expecting: spec!.count * rowSize)
                    let piece = Piece(offset: offset + spec!.start * rowSize, count: spec!.count * rowSize,
                                      values: place.values, gradients: place.gradients, replicas: [])
                    pieces.append(piece)
                    slicedWork[k].append(piece)
                }
            } else {
                let primary = try location(0, name, expecting: count)
                let replicas = try (1..<chunks.count).map { try location($0, name, expecting: count) }
                shared.append(Piece(offset: offset, count: count, values: primary.values, gradients: primary.gradients,
                                    replicas: replicas))
                pieces.append(shared.last!)
            }
            offset += count
        }
        self.count = offset
        self.pieces = pieces
        self.slicedWork = slicedWork
        sharedCount = shared.reduce(0) { $0 + $1.count }
        sharedWork = Self.split(shared, into: chunks.count, total: sharedCount)
    }

    /// `pieces` (`total` elements) cut into `parts` runs of equal length
    /// (within one), in order.
    private static func split(_ pieces: [Piece], into parts: Int, total: Int) -> [[Piece]] {
        var result: [[Piece]] = []
        var index = 0, used = 0   // the next piece, and how much of it went
        for part in 0..<parts {
            var remaining = (part + 1) * total / parts - part * total / parts
            var share: [Piece] = []
            while remaining > 0 {
                let take = min(remaining, pieces[index].count - used)
                share.append(pieces[index].part(used, count: take))
                used += take
                remaining -= take
                if used == pieces[index].count { index += 1; used = 0 }
            }
            result.append(share)
        }
        return result
    }

    /// `Σ gᵢ²` over the (reduced) gradient, in vector order.
    func squaredGradientNorm() -> Double {
        var total = 0.0
        for p in 0..<pieces.count {
            let gradients = pieces[p].gradients
            for i in 0..<pieces[p].count { total += gradients[i] * gradients[i] }
        }
        return total
    }

    /// Elements `range` of the vector: values, or the gradient (reduced)
    /// after a step's backward passes.
    func read(_ range: Range<Int>, gradients: Bool = false) -> [Double] {
        var result = [Double](repeating: 0, count: range.count)
        for piece in pieces {
            let lower = max(range.lowerBound, piece.offset), upper = min(range.upperBound, piece.offset + piece.count)
            guard lower < upper else { continue }
            let source = gradients ? piece.gradients : piece.values
            for i in lower..<upper { result[i - range.lowerBound] = source[i - piece.offset] }
        }
        return result
    }

    /// Sets elements `offset ..< offset + values.count` of the vector, in
    /// every copy.
    func write(_ values: [Double], at offset: Int) {
        for piece in pieces {
            let lower = max(offset, piece.offset), upper = min(offset + values.count, piece.offset + piece.count)
            guard lower < upper else { continue }
            for i in lower..<upper {
                piece.values[i - piece.offset] = values[i - offset]
                for r in 0..<piece.replicas.count { piece.replicas[r].values[i - piece.offset] = values[i - offset] }
            }
        }
    }
}
