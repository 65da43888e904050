import Foundation
import MachiCore
import MachiIdentity

/// The consent page of the sign-in flow: the same look, hidden fields and form token as the sign-in form
/// (`SignInPage`), every value escaped. Each request can be granted or denied; two buttons answer all of them.
enum ConsentPage {
    static func form(
        clientName: String,
        questions: [SignInConsentQuestion],
        parameters: [String: String],
        formToken: String
    ) -> String {
        let escape = SignInPage.escape
        let hidden = SignInPage.carriedFields.compactMap { name in
            parameters[name].map { #"<input type="hidden" name="\#(name)" value="\#(escape($0))">"# }
        }.joined(separator: "\n      ")
        let shown = questions.map(\.id).joined(separator: " ")
        let items = questions.map { question in
            let field = escape(SignInConsentAnswers.field(for: question.id))
            let attributes = question.attributes.map { $0.joined(separator: ", ") } ?? "all"
            let until = question.validUntil.map { "until " + DateTimeText.format($0) } ?? "until you revoke it"
            return """
                <fieldset>
                        <legend>Purpose: <strong>\(escape(question.purpose))</strong></legend>
                        <dl>
                          <dt>Data</dt><dd>\(escape(question.entityTypes.joined(separator: ", ")))</dd>
                          <dt>Attributes</dt><dd>\(escape(attributes))</dd>
                          <dt>Valid</dt><dd>from \(escape(DateTimeText.format(question.validFrom))), \(escape(until))</dd>
                        </dl>
                        <label><input type="radio" name="\(field)" value="grant" required> Allow</label>
                        <label><input type="radio" name="\(field)" value="deny"> Do not allow</label>
                      </fieldset>
                """
        }.joined(separator: "\n      ")
        return SignInPage.page(
            title: "Consent",
            body: """
                <h1>Your personal data</h1>
                    <p><strong>\(escape(clientName))</strong> asks to read some of your personal data. Nothing is shared \
                until you allow it; you can revoke a consent at any time in the portal. Not allowing does not stop \
                you from signing in.</p>
                    <form method="post" action="/oauth2/authorize">
                      \(hidden)
                      <input type="hidden" name="form_token" value="\(escape(formToken))">
                      <input type="hidden" name="\(SignInConsentAnswers.marker)" value="1">
                      <input type="hidden" name="\(SignInConsentAnswers.shown)" value="\(escape(shown))">
                      \(items)
                      <button type="submit">Continue</button>
                      <button type="submit" name="\(SignInConsentAnswers.all)" value="grant" formnovalidate>Allow all</button>
                      <button type="submit" name="\(SignInConsentAnswers.all)" value="deny" formnovalidate>Allow none</button>
                    </form>
                """
        )
    }
}
