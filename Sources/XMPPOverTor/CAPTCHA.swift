import FoundationEssentials
import Glibc

/// A CAPTCHA (XEP-0158) found in a registration form, with its image carried inline
/// (XEP-0231). Recognised by a required field with media, never by FORM_TYPE: ejabberd
/// labels its form `jabber:iq:register`, not `urn:xmpp:captcha`.
public struct CAPTCHAChallenge: Sendable, Equatable {
    /// The field the answer goes into (`ocr` on ejabberd).
    public let variable: String
    public let label: String
    /// The image (or sound) bytes from a `cid:` URI, when the server sent them inline.
    public let media: Data?
    /// MIME type of `media` (`image/png`…).
    public let mimeType: String?
    /// Text the server shows when the image cannot be displayed.
    public let fallbackText: String?
    /// The server's web page for the challenge (shown, never fetched by us).
    public let fallbackURL: String?
}

extension RegistrationForm {
    /// The CAPTCHA in this form, if any. Only `cid:` media are resolved (from the BoB data
    /// in the same reply); an `http(s):` URI is reported as the fallback URL and not fetched.
    public var captcha: CAPTCHAChallenge? {
        guard let form = dataForm,
              let field = form.fields.first(where: { !$0.media.isEmpty && $0.variable != nil }) else { return nil }
        var media: Data?
        var mimeType: String?
        var webURI: String?
        for element in field.media {
            for (type, uri) in element.uris {
                if uri.hasPrefix("cid:"), media == nil,
                   let blob = allBinaryData.first(where: { "cid:\($0.cid)" == uri }) {
                    media = blob.data
                    mimeType = type ?? blob.type
                } else if uri.hasPrefix("https:") || uri.hasPrefix("http:") {
                    webURI = webURI ?? uri
                }
            }
        }
        let fallbackText = form.field("captcha-fallback-text")?.values.first
        let fallbackURL = form.field("captcha-fallback-url")?.values.first ?? webURI
        return CAPTCHAChallenge(variable: field.variable!, label: field.label ?? "Enter the text you see",
                                media: media, mimeType: mimeType, fallbackText: fallbackText, fallbackURL: fallbackURL)
    }
}
