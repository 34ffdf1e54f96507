/// How IR values become plan tensors.
///
/// Every lowered tensor has the same prefix of batch axes, so that NumPy
/// broadcasting lines up values from any site, plate or particle:
///
///     [ o₁ … o_a | P | b₁ … b_n | e₁ … e_m | event axes | class axis ]
///
/// - outer enumeration axes: one per axis a local-expectation site
///   enumerates (its element and its value), and any enumerated site that
///   cannot be innermost (below),
/// - one particle axis (P vectorized samples, 1 for a value that does not
///   vary by particle),
/// - one axis per plate of the model, in plate-table order (the batch size
///   where the value lies in the plate, 1 elsewhere),
/// - inner enumeration axes: one per enumerated site (its K values, 1
///   elsewhere). Innermost in the prefix, an enumerated site's axis lines
///   up element for element with its guide probabilities, laid out
///   `[… plates …, K]`: taking an expectation reads them in place (no
///   transpose) and contracts contiguous lines of K. A value batched over
///   a plate and varying with an enumerated site, used as a whole array,
///   would need a transpose in this layout; the lowering would then start
///   again with the site's axis outer (``InnerEnumerationConflict``). The
///   estimator checks rule such models out today (a site whose values are
///   mixed across a plate, or that the guide's other sites depend on, is
///   not enumerated), so this is a safety net,
/// - the IR event shape,
/// - for a discrete value, a trailing class axis holding its one-hot (hard
///   or enumerated) or relaxed weights.
struct TensorLayout {
    /// Enumerated axes outside the particle axis, outermost first.
    let outerSites: [String]
    /// Enumerated axes after the plate axes.
    let innerSites: [String]
    let particles: Int
    /// The model's plates; a guide's plates are matched by name.
    let plates: [IRPlate]

    init(outerSites: [String] = [], innerSites: [String] = [], particles: Int, plates: [IRPlate]) {
        self.outerSites = outerSites
        self.innerSites = innerSites
        self.particles = particles
        self.plates = plates
    }

    /// Every enumerated axis, outer ones first.
    var enumeratedSites: [String] { outerSites + innerSites }
    var prefixRank: Int { outerSites.count + 1 + plates.count + innerSites.count }
    var particleAxis: Int { outerSites.count }

    func plateAxis(_ plate: Int) -> Int { outerSites.count + 1 + plate }

    func enumerationAxis(of site: String) -> Int? {
        if let outer = outerSites.firstIndex(of: site) { return outer }
        return innerSites.firstIndex(of: site).map { outerSites.count + 1 + plates.count + $0 }
    }

    /// Whether a prefix axis belongs to an enumerated site.
    func isEnumerationAxis(_ axis: Int) -> Bool {
        axis < particleAxis || (axis > particleAxis + plates.count && axis < prefixRank)
    }

    /// Whether a prefix axis is an inner enumeration axis.
    func isInnerEnumerationAxis(_ axis: Int) -> Bool {
        axis > particleAxis + plates.count && axis < prefixRank
    }

    /// The index of a plate in the layout, by name.
    func plateIndex(named name: String) -> Int? {
        plates.firstIndex { $0.name == name }
    }

    /// A prefix of 1s, with the batch sizes of the given plates, the
    /// particle count, and the given enumeration axis filled in.
    func prefix(plates member: [Int] = [], particles withParticles: Bool = false,
                enumeration: (site: String, classes: Int)? = nil) -> [Int] {
        var prefix = Array(repeating: 1, count: prefixRank)
        for plate in member { prefix[plateAxis(plate)] = plates[plate].batchSize }
        if withParticles { prefix[particleAxis] = particles }
        if let enumeration, let axis = enumerationAxis(of: enumeration.site) {
            prefix[axis] = enumeration.classes
        }
        return prefix
    }
}

/// Thrown while lowering when a value that varies along an inner
/// enumeration axis must be reshaped across a plate axis (indexed by the
/// plate, or used as a whole array): in this layout that is a transpose.
/// The ELBO lowering then starts again with every enumerated axis outer.
struct InnerEnumerationConflict: Error {}

/// A lowered IR value: its tensor and how to read its axes.
struct LoweredValue {
    let tensor: Tensor
    /// The rank of the IR event shape (not counting the class axis).
    let eventRank: Int
    /// For a discrete value, the length of the trailing class axis.
    let classes: Int?

    init(_ tensor: Tensor, eventRank: Int, classes: Int? = nil) {
        self.tensor = tensor
        self.eventRank = eventRank
        self.classes = classes
    }

    var shape: [Int] { tensor.shape.dimensions }
}
