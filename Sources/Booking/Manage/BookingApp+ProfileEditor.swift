import FoundationEssentials
import CommonMark
import MentorCore
import MentorStore
import TemplateEngine

/// `/dashboard/profile`: the profile editor. GET shows the form filled from the database;
/// POST with a row button or "Preview" shows it again (nothing saved); "Save" validates
/// with the rules of `import`, saves, audits and queues the public pages for publishing.
extension BookingApp {
    func showProfileEditor(_ request: CGIRequest) throws -> CGIResponse {
        let (mentor, _) = try dashboardMentor(request)
        return try profileEditor(request, mentor: mentor, form: ProfileForm(mentor.profile))
    }

    func saveProfile(_ request: CGIRequest) throws -> CGIResponse {
        let (mentor, actor) = try dashboardMentor(request)
        try checkCSRF(request)
        var form = ProfileForm(request.form)
        let action = request.form["action"] ?? "save"
        if action == "preview" {
            return try profileEditor(request, mentor: mentor, form: form, preview: true, message: "This is a preview: nothing is saved yet.")
        }
        if action != "save" {
            form.apply(action)
            return try profileEditor(request, mentor: mentor, form: form, message: "Not saved yet: press Save when the rows are as you want them.")
        }
        switch form.read(over: mentor.profile, defaultCurrency: config.defaultCurrency) {
        case .failure(let problems):
            return try profileEditor(request, mentor: mentor, form: form, problems: problems.items)
        case .success(let profile):
            let fields = try database.saveWebProfile(mentorID: mentor.id, profile: profile, actor: actor, now: now)
            let message = fields.isEmpty ? "Nothing changed." : "Saved (\(fields.joined(separator: ", "))). Your public page shows it within seconds."
            guard let saved = try database.mentor(id: mentor.id) else { throw BookingError(.notFound, "We could not find your profile.") }
            return try profileEditor(request, mentor: saved, form: ProfileForm(saved.profile), message: message)
        }
    }

    func profileEditor(_ request: CGIRequest, mentor: Mentor, form: ProfileForm, problems: [Diagnostic] = [], preview: Bool = false,
                       message: String? = nil) throws -> CGIResponse {
        var errors: [String: String] = [:]
        for problem in problems where errors[ProfileForm.inputID(problem.field ?? "name")] == nil {
            errors[ProfileForm.inputID(problem.field ?? "name")] = problem.message
        }
        return withSession(request) { csrf in
            var values: [String: TemplateValue] = [
                "title": "Edit your profile",
                "csrf": .text(csrf),
                "action": .text(pages.url("/dashboard/profile")),
                "dashboard_url": .text(pages.url("/dashboard")),
                "mentor_url": .text(pages.paths.mentor(mentor.slug)),
                "bio": .text(form.bio),
                "has_errors": .flag(!errors.isEmpty),
                "errors": .list(errors.sorted { $0.key < $1.key }.map { ["field": .text($0.key), "message": .text($0.value)] }),
                "fields": .list(Self.textFieldLabels.map { key, label, hint in
                    var field: [String: TemplateValue] = ["key": .text(key), "label": .text(label), "value": .text(form.text[key] ?? ""),
                                                          "number": .flag(ProfileForm.numberKeys.contains(key))]
                    field.setOptional("hint", hint)
                    field.setOptional("error", errors[key])
                    return .object(field)
                }),
                "lists": .list(Self.listFieldLabels.map { key, label in
                    var field: [String: TemplateValue] = ["key": .text(key), "label": .text(label), "value": .text(WebText.join(form.lists[key] ?? [], separator: "\n"))]
                    field.setOptional("error", errors[key])
                    return .object(field)
                }),
                "row_groups": .list(["education", "experience"].map { key in
                    let fields = ProfileForm.rowFields[key] ?? []
                    let rows = form.rows[key] ?? []
                    return [
                        "key": .text(key), "label": .text(key == "education" ? "Education" : "Experience"),
                        "rows": .list(rows.enumerated().map { index, row in
                            [
                                "index": .text(String(index)), "number": .text(String(index + 1)), "can_move_up": .flag(index > 0),
                                "fields": .list(fields.map { field in
                                    var value: [String: TemplateValue] = [
                                        "name": .text(ProfileForm.inputName(key, index, field)), "id": .text("\(key)-\(index)-\(field)"),
                                        "label": .text(field.prefix(1).uppercased() + field.dropFirst()), "value": .text(row[field] ?? ""),
                                    ]
                                    value.setOptional("error", errors["\(key)-\(index)-\(field)"])
                                    return .object(value)
                                }),
                            ]
                        }),
                    ]
                }),
            ]
            values.setOptional("error_bio", errors["bio"])
            values.setOptional("message", message)
            values.setOptional("preview", preview ? Markdown.render(form.bio).html : nil)
            return pages.page("booking/dashboard-profile", title: "Edit your profile", status: errors.isEmpty ? .ok : .unprocessable, values: values)
        }
    }

    /// The single-value fields, in the form's order: key, label, hint.
    static let textFieldLabels: [(String, String, String?)] = [
        ("name", "Name", "A new name gives your page a new address; the old one keeps working."),
        ("title", "Title", "Your qualification, e.g. Licensed counsellor."),
        ("specialty", "Main specialty", nil),
        ("location", "Location", nil),
        ("gender", "Gender", nil),
        ("avatar_url", "Photo (https address)", "A PNG, JPEG or WebP picture also shows when your page is shared."),
        ("meeting_url", "Your video room (https address)", "Patients join every video, audio and chat session here. Leave it empty for a new private room per session."),
        ("experience_years", "Years of experience", nil),
        ("hourly_rate", "Hourly rate", "Patients pay the session's share of it, e.g. 95 or 95.50."),
        ("currency", "Currency (ISO 4217)", "e.g. EUR, USD, KES."),
        ("session_minutes", "Session length (minutes)", nil),
        ("timezone", "Time zone (IANA)", "e.g. Europe/Berlin: your hours are in this zone."),
    ]

    static let listFieldLabels: [(String, String)] = [
        ("specialties", "Other specialties (one per line)"),
        ("languages", "Languages (one per line)"),
        ("therapy_types", "Approaches (one per line)"),
    ]
}
