import MentorCore

/// The one error type of the generator: the pipeline stage that failed and every problem
/// it found, each naming its file, line and field.
public struct GeneratorError: Error, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable {
        case load, render, write
    }

    public var stage: Stage
    public var diagnostics: [Diagnostic]

    public init(stage: Stage, diagnostics: [Diagnostic]) {
        self.stage = stage
        self.diagnostics = diagnostics
    }

    public init(stage: Stage, file: String, line: Int? = nil, field: String? = nil, message: String) {
        self.init(stage: stage, diagnostics: [Diagnostic(file: file, line: line, field: field, message: message)])
    }

    public var description: String {
        diagnostics.map { "\($0)" }.joined(separator: "\n")
    }
}
