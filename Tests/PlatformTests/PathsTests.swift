import Foundation
import Platform
import Testing

/// Path arithmetic without NSString, checked against NSString itself.
@Suite("Paths")
struct PathsTests {
    /// Path, parent, last component: what NSString's deletingLastPathComponent and
    /// lastPathComponent give (documented behaviour; NSString itself traps on some of these
    /// in this toolchain's Foundation, so it cannot be asked here).
    static let cases: [(String, String, String)] = [
        ("/a/b", "/a", "b"), ("/a/b/", "/a", "b"), ("/a", "/", "a"), ("/", "/", "/"), ("a", "", "a"), ("a/b", "a", "b"),
        ("/a/b.c", "/a", "b.c"), ("./x", ".", "x"), ("../y/z", "../y", "z"), ("/home/amnesia/.purple", "/home/amnesia", ".purple"),
    ]

    @Test("parent and last component as NSString had them")
    func matchesNSString() {
        for (path, parent, last) in Self.cases {
            #expect(Paths.parent(of: path) == parent, "\(path)")
            #expect(Paths.lastComponent(of: path) == last, "\(path)")
        }
        #expect(Paths.parent(of: "") == "" && Paths.lastComponent(of: "") == "")
    }

    @Test("join puts exactly one slash between")
    func joins() {
        #expect(Paths.join("/tmp", "x") == "/tmp/x")
        #expect(Paths.join("/tmp/", "x") == "/tmp/x")
        #expect(Paths.join("/", "x") == "/x")
        #expect(Paths.join("", "x") == "x")
        #expect(Paths.join("/tmp", "/x") == "/tmp/x")
        for (path, component) in [("/tmp", "x"), ("/tmp/", "x"), ("/", "x"), ("a", "b")] {
            #expect(Paths.join(path, component) == (path as NSString).appendingPathComponent(component))
        }
    }
}
