import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a parsed XML document, for tests that check generated SVG
/// (or other XML) by structure rather than by text.
public struct XMLTree: Sendable {
    public var name: String
    /// The element's namespace URI, if it has one.
    public var namespace: String?
    public var attributes: [String: String]
    public var children: [XMLTree]
    /// The character data of this element and its descendants, in order.
    public var text: String

    /// Parses `text` with Foundation's `XMLParser` (namespaces processed),
    /// throwing ``XMLTreeError`` with the parser's message and line when the
    /// document is not well-formed.
    public static func parse(_ text: String) throws -> XMLTree {
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldProcessNamespaces = true
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        let parsed = parser.parse()
        guard parsed, let root = builder.root else {
            throw XMLTreeError(
                message: parser.parserError.map { "\($0)" } ?? "no root element",
                line: parser.lineNumber)
        }
        return root
    }

    /// This element and all elements below it, depth first, that have `name`.
    public func elements(named name: String) -> [XMLTree] {
        (self.name == name ? [self] : []) + children.flatMap { $0.elements(named: name) }
    }
}

/// XML that is not well-formed.
public struct XMLTreeError: Error, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var description: String { "XML not well-formed at line \(line): \(message)" }
}

private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree] = []
    var root: XMLTree?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        stack.append(XMLTree(name: elementName, namespace: namespaceURI, attributes: attributes, children: [], text: ""))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let element = stack.removeLast()
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
            stack[stack.count - 1].text += element.text
        }
    }
}
