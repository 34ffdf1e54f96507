/// Compiler pass 3: whether each discrete site's value may be replaced by
/// a relaxed (continuous) one.
///
/// A relaxed value can flow into every operation of the IR that takes a
/// discrete input — a table lookup becomes a soft selection, a Bernoulli
/// choice a convex mix, a one-hot vector a point on the simplex — except an
/// opaque Swift function, which needs a class index. Where the value reaches
/// a lookup (`gather`, `choose`, `oneHot`), a soft value is a point between
/// categories that no discrete input produces, so the forward pass should
/// see the hard value (straight-through). Where it is only used as a number
/// (`asReal`, a gate), the soft value is itself meaningful.
public struct RelaxabilityAnalysis: Sendable {
    public struct SiteUse: Sendable, Equatable {
        /// No use blocks a relaxation.
        public var relaxable: Bool
        /// The value reaches a lookup or a one-hot code.
        public var reachesLookup: Bool
        /// Human-readable reasons a relaxation is impossible.
        public var blockers: [String]
        /// Human-readable list of the operations that consume the value.
        public var uses: [String]
    }

    /// Per discrete latent site (by name), merged over the model and the guide.
    public let sites: [String: SiteUse]

    init(model: IRProgram, guide: IRProgram) {
        var sites: [String: SiteUse] = [:]
        for program in [model, guide] {
            for (name, use) in Self.analyse(program) {
                if var existing = sites[name] {
                    existing.relaxable = existing.relaxable && use.relaxable
                    existing.reachesLookup = existing.reachesLookup || use.reachesLookup
                    existing.blockers += use.blockers
                    existing.uses += use.uses.filter { !existing.uses.contains($0) }
                    sites[name] = existing
                } else {
                    sites[name] = use
                }
            }
        }
        self.sites = sites
    }

    static func analyse(_ program: IRProgram) -> [String: SiteUse] {
        // discreteOrigin[n]: the discrete site whose value node n carries
        // unchanged in type (through plate and layout operations).
        var origin = [String?](repeating: nil, count: program.nodes.count)
        var result: [String: SiteUse] = [:]
        for node in program.nodes {
            if case .latent(let name, let family, _) = node.kind, family.valueType.isDiscrete {
                origin[node.id.index] = name
                result[name] = SiteUse(relaxable: true, reachesLookup: false, blockers: [], uses: [])
                continue
            }
            guard case .operation(let op) = node.kind else { continue }
            for (position, input) in node.inputs.enumerated() {
                guard let site = origin[input.index] else { continue }
                switch op {
                case .plateIndex, .unplate, .reshape:
                    origin[node.id.index] = site
                case .opaque(let function):
                    result[site]!.relaxable = false
                    result[site]!.blockers.append("feeds the opaque function '\(function.name)' at \(node.id) in \(program.name)")
                    result[site]!.uses.append("opaque '\(function.name)'")
                case .gather where position == 1, .choose where position == 0, .oneHot:
                    result[site]!.reachesLookup = true
                    result[site]!.uses.append("\(Self.name(of: op))")
                case .asReal:
                    result[site]!.uses.append("asReal")
                default:
                    break
                }
            }
        }
        for key in result.keys {
            var seen: Set<String> = []
            result[key]!.uses = result[key]!.uses.filter { seen.insert($0).inserted }
        }
        return result
    }

    private static func name(of op: IROperation) -> String {
        switch op {
        case .gather: return "table lookup"
        case .choose: return "choose"
        case .oneHot: return "oneHot"
        default: return op.description
        }
    }
}
