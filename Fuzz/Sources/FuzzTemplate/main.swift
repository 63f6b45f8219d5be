import TemplateEngine

// The hand-written Mustache parser and renderer: any bytes either parse or are refused
// with a line and column, and what parses renders (the same twice) without crashing,
// including partials that include themselves.
nonisolated(unsafe) let context: [String: TemplateValue] = [
    "name": "<Ada & 'Bo'>", "yes": true, "no": false, "empty": [], "list": [["name": "a"], ["name": "b", "yes": false]],
    "object": ["name": "inner", "list": ["x", "y"]],
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let template: Template
    do {
        template = try Template(text)
    } catch {
        precondition(error.line >= 1 && error.column >= 1 && !error.message.isEmpty)
        return 0
    }
    let library = TemplateLibrary(templates: ["main": template, "part": template, "parent": template])
    let first = library.render("main", context)
    precondition(first != nil && first == library.render("main", context))
    return 0
}
