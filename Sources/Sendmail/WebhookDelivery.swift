import Crypto
import Foundation
import MentorCore
import MentorStore

/// Delivers queued webhook events as Standard Webhooks 1.0: a POST of the event's JSON with
/// `webhook-id` (the event's id, the same on every retry), `webhook-timestamp` (Unix
/// seconds of this attempt) and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
/// `id.timestamp.body` under the secret's key). Sent with curl (no redirects, http and
/// https only, a time limit per attempt). A 2xx answer delivers; 410 Gone disables the
/// endpoint; anything else is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, then every
/// 10 h, until `giveUpSeconds` after the event, when it is given up.
public struct WebhookSender {
    /// The signing key: the base64 after `whsec_`, decoded.
    public var key: [UInt8]
    public var timeoutSeconds: Int
    public var giveUpSeconds: Int
    /// The HTTP client's words before its options (tests may point it elsewhere).
    public var curl: [String]

    public init(key: [UInt8], timeoutSeconds: Int = 10, giveUpSeconds: Int = 72 * 3600, curl: [String] = ["curl"]) {
        self.key = key
        self.timeoutSeconds = timeoutSeconds
        self.giveUpSeconds = giveUpSeconds
        self.curl = curl
    }

    public struct SecretError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The key from a secret file holding `whsec_<base64>` (a line; surrounding space is
    /// ignored). At least 24 bytes, as the specification recommends.
    public static func key(secretFile path: String) throws -> [UInt8] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SecretError(description: "\(path): cannot read the webhook secret (webhook_secret_file); write one with: printf 'whsec_%s\\n' \"$(head -c 32 /dev/urandom | base64)\" > \(path)")
        }
        return try key(secret: text.trimmingCharacters(in: .whitespacesAndNewlines), source: path)
    }

    static func key(secret: String, source: String) throws -> [UInt8] {
        guard secret.hasPrefix("whsec_"), let data = Data(base64Encoded: String(secret.dropFirst(6))) else {
            throw SecretError(description: "\(source): a webhook secret is whsec_ followed by base64")
        }
        guard data.count >= 24 else { throw SecretError(description: "\(source): the webhook secret has \(data.count) bytes; use at least 24 (32 is usual)") }
        return Array(data)
    }

    /// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
    public static func signature(id: String, timestamp: Int, body: String, key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(timestamp).\(body)".utf8), using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Seconds before the next attempt after `attempts` failed ones.
    static func retryDelay(afterAttempts attempts: Int) -> Int {
        let schedule = [5, 300, 1800, 7200, 18_000]
        return attempts <= schedule.count ? schedule[max(0, attempts - 1)] : 36_000
    }

    public struct Report: Equatable, Sendable {
        public var delivered = 0
        public var failed = 0
        public var gaveUp = 0
        public var disabled: [String] = []
    }

    /// Sends every due delivery once; `log` gets a line for each.
    public func deliver(database: MentorDatabase, now: Int, log: (String) -> Void) throws -> Report {
        var report = Report()
        while true {
            let due = try database.claimDueWebhooks(now: now, limit: 50, claimSeconds: timeoutSeconds + 60)
            if due.isEmpty { break }
            for delivery in due {
                // An endpoint disabled earlier in this run: its deliveries were disabled with it.
                if report.disabled.contains(delivery.endpoint) { continue }
                let (status, error) = post(delivery, timestamp: now)
                let attempt: WebhookAttempt
                if let status, (200..<300).contains(status) {
                    attempt = .delivered(status: status)
                    report.delivered += 1
                    log("\(delivery.eventID) \(delivery.type) → \(delivery.endpoint): \(status)")
                } else if status == 410 {
                    attempt = .gone
                    report.disabled.append(delivery.endpoint)
                    log("\(delivery.eventID) \(delivery.type) → \(delivery.endpoint): 410 Gone; the endpoint is disabled")
                } else {
                    let problem = error ?? "HTTP \(status ?? 0)"
                    let retryAt = now + Self.retryDelay(afterAttempts: delivery.attempts + 1)
                    if retryAt - delivery.createdAt > giveUpSeconds {
                        attempt = .failed(status: status, error: problem, retryAt: nil)
                        report.gaveUp += 1
                        log("\(delivery.eventID) \(delivery.type) → \(delivery.endpoint): \(problem); given up after \(delivery.attempts + 1) attempts")
                    } else {
                        attempt = .failed(status: status, error: problem, retryAt: retryAt)
                        report.failed += 1
                        log("\(delivery.eventID) \(delivery.type) → \(delivery.endpoint): \(problem); next attempt in \(retryAt - now) s")
                    }
                }
                try database.recordWebhookAttempt(delivery, attempt, now: now)
            }
        }
        return report
    }

    /// One POST: the answer's status, or why there is none.
    func post(_ delivery: WebhookDelivery, timestamp: Int) -> (status: Int?, error: String?) {
        let headers = [
            "content-type: application/json",
            "user-agent: mentorsite-webhooks",
            "webhook-id: \(delivery.eventID)",
            "webhook-timestamp: \(timestamp)",
            "webhook-signature: \(Self.signature(id: delivery.eventID, timestamp: timestamp, body: delivery.payload, key: key))",
        ]
        let arguments = curl + ["--silent", "--show-error", "--proto", "=http,https", "--max-redirs", "0", "--max-time", String(timeoutSeconds),
                                "--output", "/dev/null", "--write-out", "%{http_code}", "--request", "POST", "--data-binary", "@-"]
            + headers.flatMap { ["--header", $0] } + ["--url", delivery.endpoint]
        let result = Command.run(arguments, input: Data(delivery.payload.utf8), captureOutput: true)
        let code = Int(String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        if let failure = result.failure { return (code > 0 ? code : nil, failure) }
        return (code > 0 ? code : nil, code > 0 ? nil : "no HTTP answer")
    }
}
