using System.Text.RegularExpressions;
using Replicator.Core.Validation;

namespace Replicator.Function.Observability;

/// <summary>
/// The last guard before output: removes what looks like a presigned URL query, a credential or a token from
/// any text that reaches logs, metrics or a runtime error. Callers should not pass secrets in the first place;
/// this catches what an exception message from a dependency might carry (e.g. a GetDownloadUrlForLayer URL).
/// </summary>
public static partial class Redactor
{
    public const string Mask = "[redacted]";

    /// <summary>
    /// Text scanned at most; the rest is dropped before any pattern runs. A log line, a dead-letter reason or an
    /// error message needs far less, and a bound keeps every scan far inside the match timeout, so a long message
    /// keeps its readable start instead of becoming <see cref="Mask"/> whole.
    /// </summary>
    public const int MaxScannedLength = 8 * 1024;

    // docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html: the secret is 40 characters.
    private const int SecretAccessKeyLength = 40;

    // What may stand right before a key name: the start, whitespace, a query's ? or &, a quote (JSON or not), a
    // structure's opening or separator, or the '=' of an enclosing pair. Not a letter, digit, '-' or '/':
    // "ExpiredToken" or "cn-north-1-secret" inside an error code or a parameter name is not a key.
    // Also right after a percent-encoded '?' or '&' (%3F, %26): a presigned URL quoted inside another URL's query.
    // Also after a JSON-escaped '&' or '?' (\u0026, \u003F: a URL inside a JSON string), a twice percent-encoded one
    // (%2526, %253F), and an XML element's '<' (<SessionToken>, as STS's query API answers). Also after a quote a JSON
    // writer escaped (\u0022, \u0027: System.Text.Json's default encoder writes '"' so).
    private const string KeyStart = @"(?:(?<![^\s?&""'{(\[,;=<])|(?<=%3[Ff]|%26|%253[Ff]|%2526|\\u0026|\\u003[Ff]|\\u0022|\\u0027))";

    // What follows a key name, and the value it masks. key=value and key: value, a value bare (to the next separator) or
    // quoted (to its closing quote, spaces and all); "key":"value" to the closing quote; \"key\":\"value\" (a JSON document
    // inside a JSON string: an SSM parameter's value in GetParameter's answer) to the escaped quote; 'key': 'value';
    // <key>value</key>; and key%3Dvalue (once or twice percent-encoded), to the next '&' in any of its encodings.
    private const string SeparatorAndValue = @"(?:(?<sep>\s*[=:]\s*|" + EncodedEquals + ")" + ValueAfterEquals + OtherPairForms + ")";

    // The same, but an '=' only for the first form: AnyPair leaves "key: value" to SecretPair.
    private const string EqualsSeparatorAndValue = @"(?:(?<sep>\s*=\s*|" + EncodedEquals + ")" + ValueAfterEquals + OtherPairForms + ")";

    // '=' percent-encoded once or twice.
    private const string EncodedEquals = @"%3[Dd]|%253[Dd]";

    // The value after '=' or ':': quoted to its closing quote, or bare.
    private const string ValueAfterEquals = @"(?<value>""(?:[^""\\\r\n]|\\.)*""|'[^'\r\n]*'|[""']?" + BareValue + ")";

    // The pair forms whose separator carries its own quotes: JSON, JSON inside a JSON string, Python-style, XML.
    private const string OtherPairForms =
        @"|(?<sep>""\s*:\s*"")(?<value>(?:[^""\\\r\n]|\\[^\r\n])+)"
        + @"|(?<sep>\\""\s*:\s*\\"")(?<value>(?:[^""\\\r\n]|\\[a-zA-Z/]|\\\\(?:\\[""\\]|[^""\\\r\n]))+)"
        + @"|(?<sep>\\u0022\s*:\s*\\u0022)(?<value>(?:(?!\\u0022)[^\r\n])+)"
        + @"|(?<sep>'\s*:\s*')(?<value>[^'\r\n]+)"
        + @"|(?<=<[A-Za-z0-9_-]+)(?<sep>>)(?<value>[^<\s]+)";

    // A bare value: to whitespace, a quote, ',', ';', '<', '&' or an encoded '&' (%26, %2526, \u0026).
    private const string BareValue = @"(?:[^\s&,;""'%<\\]|%(?!26|2526)|\\(?!u0026|""))+";

    // Any URL query: presigned S3 URLs carry X-Amz-Signature/Credential/Security-Token there, and no query we log is needed.
    // The scheme starts after a non-scheme character, so a long run of letters is scanned once, not from every letter.
    [GeneratedRegex(@"(?<![a-zA-Z0-9+.-])(?<url>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#""'<>]+)\?[^\s""'<>]*", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlQuery();

    // A URL's user information, scheme://user:password@host (RFC 3986, section 3.2.1, which deprecates the form but
    // clients still read it, e.g. from HTTPS_PROXY): the password, to the '@' that ends the authority. The user name
    // stays readable. The scheme starts after a non-scheme character, as in UrlQuery.
    [GeneratedRegex(@"(?<![a-zA-Z0-9+.-])(?<before>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/?#@:""'<>]*:)[^\s/?#@""'<>]+(?=@)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlPassword();

    // key=value, key: value, "key":"value" and 'key': 'value' pairs whose key names a secret (also outside a URL, e.g.
    // in a header dump, JSON or a Python-style dict), and key%3Dvalue inside a percent-encoded URL (a value runs to the
    // next separator, or to a percent-encoded '&', %26). Key names are whole: the SigV4 query parameters, the usual token and secret names (an access,
    // session, security, refresh, id, auth or api token; a secret, client secret or secret (access) key), passwords.
    [GeneratedRegex(KeyStart + @"(?<key>X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Amz-SignedHeaders|Signature|Credential|(?:(?:aws[_-]?)?(?:access|session|security|refresh|id|auth|api|bearer|oauth|csrf)[_-]?)?token|(?:(?:aws|client|api|app)[_-]?)?secret(?:[_-]?(?:access[_-]?)?key)?|password|passwd|aws_access_key_id|(?:aws)?access[_-]?key[_-]?id|authorization)" + SeparatorAndValue, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SecretPair();

    // key=value and "key":"value" pairs of any key name: NamesASecret decides (any name holding "token", "secret" or
    // "password": authorizationToken, SecretString, github_token). Not the "key: value" form, where an error code
    // ("ExpiredToken: The security token ...") is followed by its text; that form is SecretPair's whole names only.
    // The key is a whole word (KeyStart before it), so each word is tried once: no backtracking across a long run.
    [GeneratedRegex(KeyStart + @"(?<key>[A-Za-z0-9_-]+)" + EqualsSeparatorAndValue, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AnyPair();

    // "Authorization: Bearer xyz", "Authorization: Basic dXNlcjpwYXNz" and the JSON "Authorization":"Bearer xyz": the
    // scheme and its credentials. Only after the header's name: "Basic" and "Bearer" are also ordinary words.
    [GeneratedRegex(KeyStart + @"(?<key>(?:proxy-)?authorization""?\s*[:=]\s*""?)" + Credentials, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AuthorizationHeader();

    // RFC 9110 11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]; an auth-param's value quoted or bare.
    private const string AuthParam = @"[A-Za-z0-9_-]+[ \t]*=[ \t]*(?:""(?:[^""\\\r\n]|\\.)*""|[^\s,""]*)";
    private const string Credentials = @"[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]+(?:" + AuthParam + @"(?:[ \t]*,[ \t]*" + AuthParam + @")*|[A-Za-z0-9._~+/:-]+=*))?";

    // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...": never an ordinary word, so anywhere.
    [GeneratedRegex(@"AWS4-HMAC-SHA256\s+[^\s""']+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SigV4Authorization();

    // A JSON Web Token (a bearer token however it is labelled): base64url of '{"' is "eyJ", then two more dot-separated parts (RFC 7519, section 3).
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex JsonWebToken();

    // Right after a JSON escape: \uXXXX, or one of \n \r \t \b \f.
    private const string AfterEscape = @"(?<=\\u[0-9A-Fa-f]{4}|\\[nrtbf])";

    // Access key ids: AKIA (long-term), ASIA (temporary) and the other documented IAM prefixes, 20 characters.
    // Also right after a JSON escape (\u0022, \n), whose last character would otherwise join the key as one word.
    [GeneratedRegex(@"(?:(?<![A-Za-z0-9])|(?<=_|%2[2CcFf]|%3[AaDd]|%26)|" + AfterEscape + @")(?:AKIA|ASIA|AIDA|AROA|ABIA|ACCA|AGPA|ANPA|ANVA|APKA|ASCA|AIPA)[A-Z0-9]{16}(?![A-Za-z0-9])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AccessKeyId();

    // A secret access key is 40 base64 characters; session tokens are long base64 runs. Which runs are secrets is
    // LooksLikeSecret's call.
    // A '/', '+' or '=' escaped by a JSON writer (\/, \u002B, \u003D) or percent-encoded (once or twice) is part of the
    // run: System.Text.Json writes '+' as \u002B, and a run split at each escape leaves pieces too short to be masked.
    // A run may also start right after a JSON escape (\u0022, \n, \t), as after a quote or a line break, and never
    // inside one: the 'n' of \n joined to a 40-character key made a run of 41, which no secret is.
    [GeneratedRegex(@"(?:(?<![A-Za-z0-9/+=\\])|" + AfterEscape + @")(?:[A-Za-z0-9/+=]|\\/|\\u002[Bb]|\\u003[Dd]|%2[BbFf]|%3[Dd]|%252[BbFf]|%253[Dd]){40,}(?![A-Za-z0-9/+=])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LongBase64();

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var scanned = Bound(text);
        try
        {
            var result = UrlPassword().Replace(scanned, m => m.Groups["before"].Value + Mask);
            result = UrlQuery().Replace(result, m => m.Groups["url"].Value + "?" + Mask);
            result = AuthorizationHeader().Replace(result, m => m.Groups["key"].Value + Mask);
            result = SigV4Authorization().Replace(result, Mask);
            result = JsonWebToken().Replace(result, Mask);
            result = SecretPair().Replace(result, m => m.Groups["key"].Value + m.Groups["sep"].Value + Mask);
            result = AnyPair().Replace(result, m => NamesASecret(m.Groups["key"].Value) ? m.Groups["key"].Value + m.Groups["sep"].Value + Mask : m.Value);
            result = AccessKeyId().Replace(result, Mask);
            result = LongBase64().Replace(result, m => LooksLikeSecret(m.Value) ? Mask : m.Value);
            return ReferenceEquals(scanned, text) ? result : $"{result}... ({text.Length} characters in all)";
        }
        catch (RegexMatchTimeoutException)
        {
            // Fail closed: text too odd to scan in time is not printed at all (with the bound above, not expected).
            return Mask;
        }
    }

    private static bool NamesASecret(string key) =>
        key.Contains("token", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || key.Contains("passw", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The first <see cref="MaxScannedLength"/> characters, less a word the cut went through: half a secret key is
    /// too short for its pattern, so the cut word goes whole.
    /// </summary>
    private static string Bound(string text)
    {
        if (text.Length <= MaxScannedLength)
        {
            return text;
        }

        var end = MaxScannedLength;
        if (!char.IsWhiteSpace(text[end]))
        {
            while (end > 0 && !char.IsWhiteSpace(text[end - 1]))
            {
                end--;
            }
        }

        return text[..end];
    }

    /// <summary>
    /// A run of 40 or more base64 characters is a secret when it mixes upper and lower case (hex digests do not) and
    /// is not something a tag could be. With '/', '+' or '=' it cannot be a tag (an image tag is letters, digits, '_',
    /// '.' and '-') nor a repository name (lower case): session tokens and most secret access keys look so. Letters
    /// and digits only, it is a secret when it has exactly a secret access key's 40 characters (a tag of exactly that
    /// shape is masked too: a masked tag costs a look at the event, a printed key costs a rotation), or is longer than
    /// any tag; a longer tag made of words ("ReleaseCandidate20261201BuildNumber12345abc") stays readable.
    /// </summary>
    private static bool LooksLikeSecret(string candidate)
    {
        if (!candidate.Any(char.IsAsciiLetterUpper) || !candidate.Any(char.IsAsciiLetterLower))
        {
            return false;
        }

        if (candidate.AsSpan().IndexOfAny("/+=%\\") >= 0)
        {
            return true;
        }

        return candidate.Length == SecretAccessKeyLength || candidate.Length > EcrNames.MaxTagLength;
    }
}
