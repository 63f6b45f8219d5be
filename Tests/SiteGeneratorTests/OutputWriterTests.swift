import Foundation
import MentorCore
import TemplateEngine
import Testing
@testable import SiteGenerator

@Suite struct OutputWriterTests {
    @Test func writesOnlyChangedFilesAndRemovesStaleOnes() throws {
        let folder = TemporaryFolder()
        let writer = OutputWriter(folder: folder.path + "/out")
        let first = try writer.write([OutputFile(path: "a/index.html", text: "A"), OutputFile(path: "b.txt", text: "B")])
        #expect(first.written.sorted() == [OutputWriter.marker, "a/index.html", "b.txt"])
        let second = try writer.write([OutputFile(path: "a/index.html", text: "A2")])
        #expect(second.written == ["a/index.html"])
        #expect(second.removed == ["b.txt"])
        #expect(folder.read("out/a/index.html") == "A2")
    }

    @Test func refusesToCleanAFolderItDidNotWrite() {
        let folder = TemporaryFolder()
        folder.write("out/important.doc", "mine")
        #expect(throws: GeneratorError(stage: .write, file: folder.path + "/out", message: "holds files that mentorsite did not write (e.g. important.doc); empty it or choose another --output")) {
            try OutputWriter(folder: folder.path + "/out").write([OutputFile(path: "index.html", text: "x")])
        }
        #expect(folder.read("out/important.doc") == "mine")
    }

    @Test func keepsTheGitignoreOfTheOutputFolder() throws {
        let folder = TemporaryFolder()
        folder.write("out/.gitignore", "*\n!.gitignore\n")
        _ = try OutputWriter(folder: folder.path + "/out").write([OutputFile(path: "index.html", text: "x")])
        #expect(folder.read("out/.gitignore") == "*\n!.gitignore\n")
    }
}
