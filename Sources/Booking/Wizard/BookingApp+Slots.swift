import FoundationEssentials
import MentorCore
import MentorStore
import TemplateEngine

extension BookingApp {
    // MARK: Slots JSON

    /// `GET …/slots?mentor=<slug>&from=YYYY-MM-DD&days=N`: free slots for scripts and for
    /// "next available" on profile pages.
    func slotsJSON(_ request: CGIRequest) throws -> CGIResponse {
        let choices = try choices(request.query, needs: [])
        var from: CalendarDate?
        if let text = request.query["from"] {
            guard let date = CalendarDate(text) else { throw BookingError(.badRequest, "from must be a real date YYYY-MM-DD.") }
            from = date
        }
        // No free slot lies before today or past the horizon: dates out there are never
        // computed (a date in year 9999 once crashed the zone arithmetic).
        let today = choices.zone.local(now).date
        let lastDay = choices.zone.local(now + settings.rules.horizonDays * 86_400).date
        if let date = from, date < today { from = today }
        var days = 14
        if let text = request.query["days"] {
            guard let value = Int(plainDigits: text, maxDigits: 3), (1...62).contains(value) else {
                throw BookingError(.badRequest, "days must be a whole number from 1 to 62.")
            }
            days = value
        }
        let slots = (from ?? today) > lastDay ? [] : try freeSlots(choices, from: from, days: days)
        var json = "{\"mentor\":\(WebText.jsonString(choices.mentor.slug)),\"timezone\":\(WebText.jsonString(choices.zone.identifier)),\"session_minutes\":\(choices.mentor.profile.sessionMinutes),\"slots\":["
        json += WebText.join(slots.map { slot in
            "{\"start\":\(WebText.jsonString(Timestamp.format(secondsSinceEpoch: slot.start))),\"end\":\(WebText.jsonString(Timestamp.format(secondsSinceEpoch: slot.end))),\"local_date\":\"\(slot.localDate)\",\"local_time\":\"\(slot.localStart)\",\"utc_offset\":\(WebText.jsonString(ZoneRules.describe(offset: slot.offset)))}"
        }, separator: ",")
        json += "]}\n"
        // Shared caches may keep this for a minute (no cookie is read or set here): a busy
        // profile page then starts one process a minute instead of one per visit. Safe,
        // because booking re-checks the slot inside its transaction.
        var digest = StableHash()
        digest.add(json)
        let etag = "\"" + digest.hex + "\""
        let matched = request.ifNoneMatch.map { header in header.split(separator: ",").contains { WebText.trimmed($0) == etag || WebText.trimmed($0) == "W/" + etag } } ?? false
        var response = CGIResponse(status: matched ? .notModified : .ok, contentType: "application/json", body: matched ? [] : Array(json.utf8))
        response.allowSharedCaching(seconds: 60)
        response.headers.append(("ETag", etag))
        return response
    }
}
