/// Path arithmetic on strings, as NSString's path methods did it (FoundationEssentials has
/// no NSString): trailing slashes ignored, "/" kept as the root.
public enum Paths {
    /// "/a/b" → "/a", "/a" → "/", "a" → "", "/a/b/" → "/a".
    public static func parent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return withoutTrailingSlashes(String(trimmed[..<slash]))
    }

    /// "/a/b" → "b", "/a/b/" → "b", "/" → "/", "" → "".
    public static func lastComponent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `path` + "/" + `component`, with exactly one slash between them ("" + "x" → "x").
    public static func join(_ path: String, _ component: String) -> String {
        if path.isEmpty { return component }
        let component = component.drop { $0 == "/" }
        return (path.hasSuffix("/") ? path : path + "/") + component
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var result = Substring(path)
        while result.count > 1, result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }
}
