import Foundation

/// The sign-in page: plain server-rendered HTML (no JavaScript), every value escaped. Hand-written: a template
/// engine for one form is not worth a dependency.
enum SignInPage {
    /// The OAuth parameters the form carries through as hidden fields.
    static let carriedFields = [
        "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method",
        "nonce",
    ]

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func form(clientName: String, parameters: [String: String], formToken: String, message: String?) -> String {
        let hidden = carriedFields.compactMap { name in
            parameters[name].map { #"<input type="hidden" name="\#(name)" value="\#(escape($0))">"# }
        }.joined(separator: "\n      ")
        let notice = message.map { #"<p class="error" role="alert">\#(escape($0))</p>"# } ?? ""
        return page(
            title: "Sign in",
            body: """
                <h1>Sign in to Machi</h1>
                    <p><strong>\(escape(clientName))</strong> asks you to sign in.</p>
                    \(notice)
                    <form method="post" action="/oauth2/authorize">
                      \(hidden)
                      <input type="hidden" name="form_token" value="\(escape(formToken))">
                      <label>Username <input name="username" autocomplete="username" required autofocus></label>
                      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
                      <button type="submit">Sign in</button>
                    </form>
                """
        )
    }

    static func error(_ message: String) -> String {
        page(title: "Sign-in error", body: "<h1>Sign-in error</h1>\n    <p>\(escape(message))</p>")
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>\(escape(title)) — Machi</title>
          <style>
            body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto; padding: 0 1rem; }
            label { display: block; margin: 0.75rem 0; } input { display: block; width: 100%; padding: 0.4rem; }
            button { margin-top: 1rem; padding: 0.5rem 1.5rem; } .error { color: #b00020; }
          </style>
        </head>
        <body>
            \(body)
        </body>
        </html>
        """
    }
}
