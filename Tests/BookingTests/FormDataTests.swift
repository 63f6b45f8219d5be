#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Booking

@Suite struct FormDataTests {
    @Test func decodesPlusAndPercentEscapes() throws {
        #expect(try FormData(urlEncoded: Array("a=1+2%2B3&b=%C3%A9&c=&d".utf8)) == FormData(["a": "1 2+3", "b": "é", "c": "", "d": ""]))
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%00", "a=%FF", "a=%C3", "=x", "a=1&a=2", "a=%07"])
    func refusesMalformedInput(text: String) {
        #expect(failure { _ = try FormData(urlEncoded: Array(text.utf8)) }?.status == .badRequest)
    }

    @Test func keepsLineBreaksInNotes() throws {
        #expect(try FormData(urlEncoded: Array("notes=one%0D%0Atwo".utf8))["notes"] == "one\r\ntwo")
    }

    @Test func refusesHugeFieldsAndTooManyFields() {
        let big = "notes=" + String(repeating: "x", count: FormData.maximumFieldBytes + 1)
        #expect(failure { _ = try FormData(urlEncoded: Array(big.utf8)) }?.status == .payloadTooLarge)
        let many = (0...FormData.maximumFields).map { "f\($0)=1" }.joined(separator: "&")
        #expect(failure { _ = try FormData(urlEncoded: Array(many.utf8)) }?.status == .badRequest)
    }
}
