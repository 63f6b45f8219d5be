import Foundation
import MentorCore
import Testing
@testable import Sendmail

@Suite struct MailDeliveryTests {
    @Test func splitsTheSendmailCommandWithoutAShell() {
        #expect(MailDelivery.arguments("/usr/sbin/sendmail -i -t") == ["/usr/sbin/sendmail", "-i", "-t"])
        #expect(MailDelivery.arguments("'/opt/my mail/send' --to \"a b\" ''") == ["/opt/my mail/send", "--to", "a b", ""])
        #expect(MailDelivery.arguments("x; rm -rf /") == ["x;", "rm", "-rf", "/"])
    }

    @Test func composesRFC5322WithEncodedHeaders() {
        let message = MailDelivery.compose(id: 7, from: "Mood Mentors <bookings@mentors.example>", to: "pat@example.org",
                                           subject: "Booked: José\r\nBcc: evil@example.org", body: "Line one\nLine two", date: "2026-11-26T09:30:00Z")
        #expect(message.hasPrefix("From: Mood Mentors <bookings@mentors.example>\r\nTo: <pat@example.org>\r\nSubject: =?UTF-8?B?"))
        #expect(!message.contains("\r\nBcc:"))
        #expect(message.contains("Date: Thu, 26 Nov 2026 09:30:00 +0000\r\n"))
        #expect(message.contains("Message-ID: <outbox-7-20261126093000@mentors.example>\r\n"))
        #expect(message.hasSuffix("\r\n\r\nLine one\r\nLine two\r\n"))
    }

    @Test func aNonASCIIDisplayNameIsEncodedApartFromItsAddress() {
        #expect(MailHeaders.mailbox("From", "Mood Mentors – Büro <bookings@mentors.example>") == "From: =?UTF-8?B?TW9vZCBNZW50b3JzIOKAkyBCw7xybw==?= <bookings@mentors.example>")
        #expect(MailHeaders.mailbox("From", "\"Mentors, Inc.\" <b@m.example>") == "From: \"Mentors, Inc.\" <b@m.example>")
        #expect(MailHeaders.mailbox("To", "pat@example.org") == "To: <pat@example.org>")
    }

    @Test func longSubjectsBecomeSeveralEncodedWordsOnFoldedLines() {
        let subject = "Booked: Maximiliane Friederike von Hohenzollern-Württemberg, Dienstag 8. Dezember 2026 09:00 (Europe/Berlin)"
        let header = MailHeaders.unstructured("Subject", subject)
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.count > 1 && lines.allSatisfy { $0.utf8.count <= 78 })
        let words = header.split(whereSeparator: { $0 == " " || $0 == "\r\n" || $0 == "\n" }).filter { $0.hasPrefix("=?") }
        #expect(words.count > 1 && words.allSatisfy { $0.count <= 75 })
        // Decoded and joined, the words give the subject back.
        let decoded = words.map { word -> String in
            let base64 = word.dropFirst(10).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64))!, as: UTF8.self)
        }.joined()
        #expect(decoded == subject)
        #expect(MailHeaders.unstructured("Subject", "Plain ASCII") == "Subject: Plain ASCII")
    }
}
