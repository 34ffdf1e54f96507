/// Parameters whose gradients the lab reports together: the guide
/// parameters of one latent site (those that reach the site's distribution
/// without passing through another latent site), or the model's own
/// parameters.
public struct ParameterGroup: Sendable, Hashable {
    /// The site's name, or `model parameters` for the model's parameters.
    public let name: String
    /// The site, or `nil` for the model's parameters.
    public let site: String?
    /// Parameter names in program order.
    public let parameters: [String]

    /// One group per latent site of the guide that has parameters, in
    /// program order, then the model's parameters if it has any. A
    /// parameter shared by several sites (an amortized encoder) is in each
    /// of their groups.
    static func groups(of compiled: CompiledModel) -> [ParameterGroup] {
        let guide = compiled.guide
        var groups: [ParameterGroup] = []
        for site in guide.latentSites {
            var seen = Set<Int>()
            var stack = site.inputs
            var parameters: [IRNodeID] = []
            while let id = stack.popLast() {
                guard seen.insert(id.index).inserted else { continue }
                let node = guide[id]
                switch node.kind {
                case .parameter: parameters.append(id)
                case .latent: continue
                default: stack.append(contentsOf: node.inputs)
                }
            }
            let names = parameters.sorted().compactMap { guide[$0].name }
            if !names.isEmpty, let name = site.name {
                groups.append(ParameterGroup(name: name, site: name, parameters: names))
            }
        }
        let modelParameters = compiled.model.parameters.compactMap(\.name)
        if !modelParameters.isEmpty {
            groups.append(ParameterGroup(name: "model parameters", site: nil, parameters: modelParameters))
        }
        return groups
    }
}
