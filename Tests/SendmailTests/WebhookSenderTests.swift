import Foundation
@testable import MentorStore
import Testing
@testable import Sendmail

@Suite struct WebhookSenderTests {
    /// The Standard Webhooks specification's published vector: a receiver's library accepts
    /// what we send only if this reproduces exactly.
    @Test func signsTheSpecificationsTestVector() throws {
        let key = try WebhookSender.key(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", source: "test")
        #expect(WebhookSender.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: #"{"test": 2432232314}"#, key: key)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func refusesSecretsThatAreNotWhsecBase64OrTooShort() {
        #expect(throws: WebhookSender.SecretError.self) { try WebhookSender.key(secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", source: "t") }
        #expect(throws: WebhookSender.SecretError.self) { try WebhookSender.key(secret: "whsec_not base64!", source: "t") }
        #expect(throws: WebhookSender.SecretError.self) { try WebhookSender.key(secret: "whsec_c2hvcnQ=", source: "t") }
    }

    @Test func retriesAfterTheSpecificationsScheduleThenEveryTenHours() {
        #expect((1...8).map { WebhookSender.retryDelay(afterAttempts: $0) } == [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 36_000])
    }

    @Test func everyStatusChangeMapsToItsEvents() {
        #expect(WebhookEventType.types(from: nil, to: .pending) == [.bookingCreated])
        #expect(WebhookEventType.types(from: nil, to: .scheduled) == [.bookingCreated, .bookingConfirmed])
        #expect(WebhookEventType.types(from: .pending, to: .scheduled) == [.bookingConfirmed])
        #expect(WebhookEventType.types(from: .scheduled, to: .rescheduled) == [.bookingRescheduled])
        #expect(WebhookEventType.types(from: .scheduled, to: .cancelled) == [.bookingCancelled])
        #expect(WebhookEventType.types(from: .scheduled, to: .noShow) == [.bookingNoShow])
        #expect(WebhookEventType.types(from: .scheduled, to: .completed) == [.bookingCompleted])
    }
}
