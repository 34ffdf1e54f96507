/// The static shape of a tensor: row-major dimensions, outermost first.
///
/// A scalar has no dimensions (`[]`). Leading dimensions are batch
/// dimensions (particles, plates); operations that work along one axis take
/// it as an index into ``dimensions`` (negative indices count from the end,
/// as in numpy).
///
///     let points: Shape = [1000, 3]   // 1000 data points, 3 components
///     points.count                    // 3000
///     Shape.broadcast([1000, 1], [3]) // [1000, 3]
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The extent of each axis, outermost first.
    public let dimensions: [Int]

    public init(_ dimensions: [Int]) {
        self.dimensions = dimensions
    }

    public init(arrayLiteral dimensions: Int...) {
        self.dimensions = dimensions
    }

    /// The shape of a scalar, `[]`.
    public static let scalar = Shape([])

    /// The number of axes.
    public var rank: Int { dimensions.count }

    /// The number of elements: the product of the dimensions (1 for a scalar).
    public var count: Int { dimensions.reduce(1, *) }

    public subscript(axis: Int) -> Int { dimensions[axis] }

    /// Row-major strides in elements: the last axis has stride 1.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        var running = 1
        for axis in (0..<rank).reversed() {
            strides[axis] = running
            running *= dimensions[axis]
        }
        return strides
    }

    /// `[2, 3]`, or `[]` for a scalar.
    public var description: String {
        "[" + dimensions.map(String.init).joined(separator: ", ") + "]"
    }

    /// The axis `axis` refers to, with negative values counted from the end
    /// (`-1` is the last axis); `nil` when it is out of range.
    public func normalizedAxis(_ axis: Int) -> Int? {
        let normalized = axis < 0 ? axis + rank : axis
        return (0..<rank).contains(normalized) ? normalized : nil
    }

    /// This shape with `axis` removed (a reduction without kept dimensions).
    public func removing(axis: Int) -> Shape {
        var dimensions = self.dimensions
        dimensions.remove(at: axis)
        return Shape(dimensions)
    }

    /// This shape with `axis` set to `extent`.
    public func replacing(axis: Int, with extent: Int) -> Shape {
        var dimensions = self.dimensions
        dimensions[axis] = extent
        return Shape(dimensions)
    }

    /// The shape both operands broadcast to under numpy's rule, or `nil`.
    ///
    /// Dimensions are aligned at the end; a missing dimension counts as 1,
    /// and a dimension of 1 stretches to match the other. `[1000, 1]` and
    /// `[3]` broadcast to `[1000, 3]`; `[2, 3]` and `[4]` do not.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        let rank = max(a.rank, b.rank)
        var dimensions = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let da = axis < rank - a.rank ? 1 : a.dimensions[axis - (rank - a.rank)]
            let db = axis < rank - b.rank ? 1 : b.dimensions[axis - (rank - b.rank)]
            if da == db || db == 1 {
                dimensions[axis] = da
            } else if da == 1 {
                dimensions[axis] = db
            } else {
                return nil
            }
        }
        return Shape(dimensions)
    }

    /// The shape all of `shapes` broadcast to, or `nil`.
    public static func broadcast(_ shapes: [Shape]) -> Shape? {
        var result = Shape.scalar
        for shape in shapes {
            guard let next = broadcast(result, shape) else { return nil }
            result = next
        }
        return result
    }

    /// The first axis (of the broadcast result) where `a` and `b` disagree,
    /// for error messages.
    static func firstConflict(_ a: Shape, _ b: Shape) -> (axis: Int, a: Int, b: Int)? {
        let rank = max(a.rank, b.rank)
        for axis in 0..<rank {
            let da = axis < rank - a.rank ? 1 : a.dimensions[axis - (rank - a.rank)]
            let db = axis < rank - b.rank ? 1 : b.dimensions[axis - (rank - b.rank)]
            if da != db && da != 1 && db != 1 { return (axis, da, db) }
        }
        return nil
    }
}
