import MentorCore
import SiteGenerator

/// `mentorsite check`: validates content, templates and database without writing; profile
/// completeness for every mentor.
public enum CheckCommand {
    /// The exit status: 1 when there are errors.
    public static func run(_ context: CommandContext, config flag: String?, flags: PathFlags) throws -> Int32 {
        let config = try context.configuration(flag: flag, flags: flags)
        let report = Generator(config: config).check()
        for line in lines(report) { context.say(line) }
        for diagnostic in report.diagnostics { context.warn("\(diagnostic)") }
        let errors = report.diagnostics.filter { $0.severity == .error }.count
        let warnings = report.diagnostics.count - errors
        context.say("\(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings")")
        return report.hasErrors ? 1 : 0
    }

    /// The completeness report: `  80%  content/mentors/ana.md (Ana): missing title, photo`.
    static func lines(_ report: Generator.CheckReport) -> [String] {
        guard !report.completeness.isEmpty else { return [] }
        return ["Profile completeness:"] + report.completeness.map { item in
            let missing = item.result.missing.isEmpty ? "complete" : "missing " + item.result.missing.joined(separator: ", ")
            let percent = String(item.result.percent)
            return "  \(String(repeating: " ", count: max(0, 4 - percent.count)))\(percent)%  \(item.sourcePath) (\(item.name)): \(missing)"
        }
    }
}
