import Testing
@testable import MentorCore

@Suite struct MoneyTests {
    @Test func parsesExactDecimals() {
        #expect(Money(decimal: "120", currency: "USD")?.minorUnits == 12000)
        #expect(Money(decimal: "95.5", currency: "EUR")?.minorUnits == 9550)
        #expect(Money(decimal: "0.07", currency: "EUR")?.minorUnits == 7)
        #expect(Money(decimal: "9000", currency: "JPY")?.minorUnits == 9000)
        #expect(Money(decimal: "1.250", currency: "KWD")?.minorUnits == 1250)
    }

    @Test(arguments: [("95.555", "EUR"), ("90.5", "JPY"), ("-10", "USD"), ("+10", "USD"), ("1e3", "USD"), ("10.", "USD"), (".5", "USD"), ("", "USD"), ("12345678901", "USD")])
    func refusesInexactOrSignedAmounts(text: String, currency: String) {
        #expect(Money(decimal: text, currency: currency) == nil)
    }

    @Test func printsForPeople() {
        #expect(Money(minorUnits: 12000, currency: "USD").formatted == "$120")
        #expect(Money(minorUnits: 7917, currency: "EUR").formatted == "€79.17")
        #expect(Money(minorUnits: 450000, currency: "KES").formatted == "KES 4,500")
        #expect(Money(minorUnits: 9000, currency: "JPY").formatted == "¥9,000")
        #expect(Money(minorUnits: 9550, currency: "EUR").decimalText == "95.50")
    }

    @Test func pricesASessionFromTheHourlyRate() {
        #expect(Money(minorUnits: 12000, currency: "USD").forSession(minutes: 50).minorUnits == 10000)
        #expect(Money(minorUnits: 9500, currency: "EUR").forSession(minutes: 50).minorUnits == 7917)
        #expect(Money(minorUnits: 9000, currency: "JPY").forSession(minutes: 45).minorUnits == 6750)
    }
}
