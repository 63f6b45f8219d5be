import Foundation
import MentorCore
import Testing
@testable import Booking
@testable import Sendmail

@Suite struct PatientDetailsTests {
    func errors(_ fields: [String: String]) -> [String: String] {
        switch PatientDetails.validate(FormData(fields)) {
        case .success: return [:]
        case .failure(let errors): return errors.messages
        }
    }

    @Test func acceptsAndNormalisesGoodDetails() throws {
        let details = try PatientDetails.validate(FormData(["name": " Ana Silva ", "email": "Ana@Example.ORG", "phone": "+49 (30) 123-4567", "notes": ""])).get()
        #expect(details == PatientDetails(name: "Ana Silva", email: "ana@example.org", phone: "+49 (30) 123-4567", notes: nil))
    }

    @Test(arguments: ["", "ana", "ana@", "@example.org", "ana@example", "ana@example.org\r\nBcc: x@y.org", "a@b.org, c@d.org", "Ana <ana@example.org>", "ana @example.org", "ana@-x.org", "ann..lee@example.org", ".ann@example.org", "ann.@example.org"])
    func refusesAnythingButOneAddress(email: String) {
        #expect(errors(["name": "Ana", "email": email])["email"] == "Enter one email address, like name@example.org.")
    }

    @Test func refusesPhonesWithLettersAndOverlongNotes() {
        #expect(errors(["name": "Ana", "email": "a@b.org", "phone": "call me"])["phone"] != nil)
        #expect(errors(["name": "Ana", "email": "a@b.org", "notes": String(repeating: "x", count: 2001)])["notes"] == "Keep your notes under 2000 characters (now 2001).")
        #expect(errors(["name": "", "email": "a@b.org"])["name"] == "Enter your name.")
        #expect(errors(["name": "Ana\u{0}", "email": "a@b.org"])["name"] != nil)
    }

    @Test(arguments: ["\u{200B}\u{200B}\u{200D}", "\u{202E}Ana", "Ana\u{2066}x", "A" + String(repeating: "\u{0301}", count: 300), "\u{FEFF}", "Ana\r\nBcc"])
    func refusesNamesPeopleCannotRead(name: String) {
        #expect(errors(["name": name, "email": "a@b.org"])["name"] != nil)
    }

    @Test(arguments: ["Nguyễn Thị Đào", "Zoë O'Brien-Łukasz", "محمد علي", "山田 太郎", "Ana\u{200D}Lu"])
    func acceptsNamesInEveryScript(name: String) {
        #expect(errors(["name": name, "email": "a@b.org"])["name"] == nil)
    }
}
