import Testing
import TemplateEngine


@Suite struct HTMLEscapingTests {
    @Test func escapesEverySpecialCharacter() {
        #expect(HTML.escape(#"<a href="x" onclick='y'>&</a>"#) == "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        #expect(HTML.escape("plain text, ü") == "plain text, ü")
    }
}

@Suite struct ElementIDTests {
    @Test func makesIDsWithoutWhitespaceThatStayUnique() {
        #expect(HTML.elementIDs(["Depression", "Life transitions", "Men's mental health", "Men’s mental health", "Ängste", "家庭"], prefix: "specialty-")
                == ["specialty-Depression", "specialty-Life-transitions", "specialty-Men-s-mental-health", "specialty-Men-s-mental-health-2",
                    "specialty-ngste", "specialty-item"])
    }
}
