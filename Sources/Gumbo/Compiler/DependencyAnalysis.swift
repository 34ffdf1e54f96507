/// Compiler pass 2: which log-probability terms depend on which latent
/// sites, found once, statically.
///
/// For a site `s`, its downstream cost set is every term — model sites,
/// observations and factors, and guide sites — whose value changes with
/// `s`'s value. This is the Rao-Blackwellized cost that Pyro's
/// `TraceGraph_ELBO` discovers by tracking provenance at run time (Schulman,
/// Heess, Weber & Abbeel 2015, "Gradient Estimation Using Stochastic
/// Computation Graphs"); here it is read off the IR.
///
/// Dependence is tracked per plate: a term depends on `s` *elementwise*
/// along a plate when element `i` of the term depends only on element `i`
/// of `s`. Dependence through a whole-array use (`unplate`) is not
/// elementwise: every element of the term depends on every element of `s`.
public struct DependencyAnalysis: Sendable {
    /// A term that depends on a site, and the site's plates along which
    /// the dependence is elementwise.
    public struct Dependence: Sendable, Equatable {
        public let term: IRNodeID
        public let elementwisePlates: [PlateID]
    }

    /// Model terms downstream of each latent site (by site name), in program order.
    public let modelDependents: [String: [Dependence]]
    /// Guide terms downstream of each latent site (by site name).
    public let guideDependents: [String: [Dependence]]
    /// For each model term, the latent sites its value depends on.
    public let modelTermSites: [IRNodeID: [String]]
    /// For each guide term, the latent sites its value depends on.
    public let guideTermSites: [IRNodeID: [String]]

    init(model: IRProgram, guide: IRProgram) {
        (modelDependents, modelTermSites) = Self.analyse(model)
        (guideDependents, guideTermSites) = Self.analyse(guide)
    }

    /// Forward data flow over one program. `reach[n][s]` is the set of
    /// plates along which node `n`'s value depends elementwise on site `s`;
    /// a site absent from `reach[n]` does not influence `n`.
    static func analyse(_ program: IRProgram) -> ([String: [Dependence]], [IRNodeID: [String]]) {
        var reach = Array(repeating: [IRNodeID: Set<PlateID>](), count: program.nodes.count)
        var dependents: [String: [Dependence]] = [:]
        var termSites: [IRNodeID: [String]] = [:]

        for node in program.nodes {
            // What flows in through the inputs.
            var incoming: [IRNodeID: Set<PlateID>] = [:]
            for input in node.inputs {
                for (site, plates) in reach[input.index] {
                    var plates = plates
                    if case .operation(.unplate(let plate)) = node.kind { plates.remove(plate) }
                    incoming[site] = incoming[site].map { $0.intersection(plates) } ?? plates
                }
            }
            // Indexing a whole array again (`plateIndex`) does not restore
            // elementwise dependence: conservatively, it stays global.
            if node.isTerm {
                var termReach = incoming
                if case .latent = node.kind { termReach[node.id] = Set(node.plates) }
                for (site, plates) in termReach.sorted(by: { $0.key < $1.key }) {
                    let siteName = program[site].name!
                    dependents[siteName, default: []].append(
                        Dependence(term: node.id, elementwisePlates: plates.sorted()))
                    termSites[node.id, default: []].append(siteName)
                }
            }
            // The value a latent node passes on is the site itself.
            if case .latent = node.kind {
                reach[node.id.index] = [node.id: Set(node.plates)]
            } else {
                reach[node.id.index] = incoming
            }
        }
        for key in dependents.keys { dependents[key]!.sort { $0.term < $1.term } }
        return (dependents, termSites)
    }
}
