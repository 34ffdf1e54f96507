/// How IR values become plan tensors.
///
/// Every lowered tensor has the same prefix of batch axes, so that NumPy
/// broadcasting lines up values from any site, plate or particle:
///
///     [ e₁ … e_m | P | b₁ … b_n | event axes | class axis ]
///
/// - one axis per enumerated site (its K values, 1 elsewhere),
/// - one particle axis (P vectorized samples, 1 for a value that does not
///   vary by particle),
/// - one axis per plate of the model, in plate-table order (the batch size
///   where the value lies in the plate, 1 elsewhere),
/// - the IR event shape,
/// - for a discrete value, a trailing class axis holding its one-hot (hard
///   or enumerated) or relaxed weights.
struct TensorLayout {
    /// Enumerated sites, one axis each, outermost first.
    let enumeratedSites: [String]
    let particles: Int
    /// The model's plates; a guide's plates are matched by name.
    let plates: [IRPlate]

    var prefixRank: Int { enumeratedSites.count + 1 + plates.count }
    var particleAxis: Int { enumeratedSites.count }

    func plateAxis(_ plate: Int) -> Int { enumeratedSites.count + 1 + plate }

    func enumerationAxis(of site: String) -> Int? {
        enumeratedSites.firstIndex(of: site)
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
