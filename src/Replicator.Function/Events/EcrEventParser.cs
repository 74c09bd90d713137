using System.Globalization;
using System.Text;
using System.Text.Json;
using Replicator.Core.Errors;
using Replicator.Core.Validation;

namespace Replicator.Function.Events;

/// <summary>
/// Parses an SQS body into an <see cref="ImageAction"/>, validating every field before use.
/// Errors are <see cref="InvalidEventException"/>s naming the field; they never echo more than a short quoted value.
/// </summary>
public static class EcrEventParser
{
    /// <summary>
    /// EventBridge's own event size limit is 256 KB, counted in the UTF-8 bytes of the event
    /// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html); anything larger did not come from EventBridge.
    /// </summary>
    public const int MaxBodyLength = 256 * 1024;

    /// <summary>An ECR Image Action event nests three levels; a little slack, but no deep structures.</summary>
    public const int MaxDepth = 8;

    public const string ExpectedSource = "aws.ecr";
    public const string ExpectedDetailType = "ECR Image Action";

    /// <summary>
    /// ECR's event of a referrer (a signature, an SBOM, an attestation: an image with a <c>subject</c>), with the
    /// detail of an Image Action (the ECR events reference of EventBridge,
    /// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ecr.html). Whether ECR sends a referrer's push
    /// as this, as an Image Action or as both is not documented (docs/fidelity.md, known unknowns), so both are taken:
    /// a push is copied with its subject and referrers either way, and a repeat finds the destinations up to date.
    /// </summary>
    public const string ReferrerDetailType = "ECR Referrer Action";

    /// <summary>
    /// No duplicate members: an event never has them, and one with two <c>repository-name</c>s is a forgery whose
    /// reading would depend on which the lookup meets first. The check also unescapes every member name up front, so a
    /// name escaping an unpaired surrogate (<c>{"\udc00\udc00":0}</c>, plain ASCII SQS accepts) is refused here,
    /// instead of throwing from a later member lookup that meets it (System.Text.Json unescapes a longer escaped name
    /// while it searches), which no caller expects.
    /// </summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    public static ImageAction Parse(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            throw new InvalidEventException("body", "the message body is empty");
        }

        // A body of more characters than the limit has at least as many bytes: refused without counting them.
        if (body.Length > MaxBodyLength)
        {
            throw new InvalidEventException("body", $"the message body is {body.Length} characters, more than the {MaxBodyLength} bytes an EventBridge event can have");
        }

        // Nor can one of at most a third as many characters (UTF-8 takes at most 3 bytes a UTF-16 unit): an event of
        // ~1 KB, every record's, is not counted.
        if (body.Length > MaxBodyLength / 3 && System.Text.Encoding.UTF8.GetByteCount(body) is var bytes && bytes > MaxBodyLength)
        {
            throw new InvalidEventException("body", $"the message body is {bytes} bytes in UTF-8, more than the {MaxBodyLength} an EventBridge event can have");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException)
        {
            // Positions and a duplicate member's name, never a value.
            throw new InvalidEventException("body", $"the message body is not JSON: {JsonErrorText.Describe(Encoding.UTF8.GetBytes(body), MaxDepth)}");
        }
        catch (InvalidOperationException)
        {
            // The duplicate-member check unescapes every member name, and throws this for an escaped unpaired surrogate.
            throw new InvalidEventException("body", "the message body is not valid Unicode (a member name escapes an unpaired surrogate)");
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    private static ImageAction Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidEventException("body", "the message body is not a JSON object");
        }

        var source = RequiredString(root, "source");
        if (source != ExpectedSource)
        {
            throw new InvalidEventException("source", $"source {EcrNames.Quote(source)} is not {ExpectedSource}");
        }

        var detailType = RequiredString(root, "detail-type");
        if (detailType is not (ExpectedDetailType or ReferrerDetailType))
        {
            throw new InvalidEventException("detail-type", $"detail-type {EcrNames.Quote(detailType)} is neither {ExpectedDetailType} nor {ReferrerDetailType}");
        }

        var account = Validated(root, "account", EcrNames.ValidateRegistryId);
        var region = Validated(root, "region", EcrNames.ValidateRegion);
        var id = OptionalString(root, "id");
        var time = ParseTime(OptionalString(root, "time"));

        if (!root.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidEventException("detail", "detail is missing or not an object");
        }

        var actionType = Word(detail, "action-type");
        var result = Word(detail, "result");
        var repository = Validated(detail, "repository-name", EcrNames.ValidateRepositoryName);
        var digest = OptionalString(detail, "image-digest");
        if (digest is not null || result == ImageAction.Success)
        {
            digest = Validated(detail, "image-digest", EcrNames.ValidateDigest);
        }

        var tag = OptionalString(detail, "image-tag");
        if (tag is { Length: 0 })
        {
            // AWS's documented example leaves image-tag out for a push by digest, but real events carry it empty
            // ("image-tag": "", beside artifact-media-type and manifest-media-type) for each child of a multi-arch
            // push, an attestation or a SOCI index: events quoted in
            // https://github.com/awslabs/cfn-ecr-aws-soci-index-builder/pull/137. Both forms mean untagged.
            tag = null;
        }

        if (tag is not null && EcrNames.ValidateTag(tag) is { } tagError)
        {
            throw new InvalidEventException("image-tag", tagError);
        }

        return new ImageAction(id, account, region, time, actionType, result, repository, digest, tag);
    }

    private static string RequiredString(JsonElement element, string name) =>
        OptionalString(element, name) ?? throw new InvalidEventException(name, $"{name} is missing");

    private static string? OptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidEventException(name, $"{name} is not a string");
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // JSON allows an escaped unpaired surrogate ("\ud800"); System.Text.Json refuses to unescape it into a string.
            throw new InvalidEventException(name, $"{name} is not valid Unicode (it escapes an unpaired surrogate)");
        }
    }

    private static string Validated(JsonElement element, string name, Func<string?, string?> validate)
    {
        var value = RequiredString(element, name);
        return validate(value) is { } error ? throw new InvalidEventException(name, $"{name}: {error}") : value;
    }

    /// <summary>action-type and result are upper-case words; values not known here are kept for the decision to acknowledge.</summary>
    private static string Word(JsonElement element, string name)
    {
        var value = RequiredString(element, name);
        if (value.Length is 0 or > 32 || value.Any(c => !(char.IsAsciiLetterUpper(c) || c == '_')))
        {
            throw new InvalidEventException(name, $"{name} {EcrNames.Quote(value)} is not an upper-case word");
        }

        return value;
    }

    private static DateTimeOffset? ParseTime(string? value)
    {
        if (value is null)
        {
            return null;
        }

        // RFC 3339's date-time only (section 5.6; its note allows a lower-case t and z): an event's time stamp is "per
        // RFC3339" (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html), and
        // EventBridge writes it as 2026-12-07T04:20:49Z. A culture's own forms (12/07/2026) or a time without an offset
        // would be read as some instant, and the ReplicationLatency metric measured from it would be wrong without a
        // word. The literal Z is UTC (AssumeUniversal), not the machine's zone. The shape is checked here, not left to
        // the exact parse, which both refuses what RFC 3339 allows (more than 7 fraction digits) and reads what it does
        // not (+0100, +1:00, a full stop with no digit).
        return Rfc3339Normalized(value) is { } normalized
            && DateTimeOffset.TryParseExact(normalized, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new InvalidEventException("time", $"time {EcrNames.Quote(value)} is not an RFC 3339 timestamp such as 2026-12-07T04:20:49Z");
    }

    /// <summary>
    /// <paramref name="value"/> when it has RFC 3339's date-time shape (section 5.6: <c>full-date "T" partial-time
    /// time-offset</c>, two-digit fields, <c>time-secfrac = "." 1*DIGIT</c>, <c>time-offset = "Z" / ("+" / "-") HH:MM</c>),
    /// upper-cased and with its fraction cut to the 7 digits of a .NET tick (the grammar sets no limit: Go's RFC3339Nano
    /// writes 9); null otherwise. The values of the fields are left to the exact parse.
    /// </summary>
    private static string? Rfc3339Normalized(string value)
    {
        const int SecondsEnd = 19; // yyyy-MM-ddTHH:mm:ss
        if (value.Length < SecondsEnd + 1 || !Matches(value, "dddd-dd-ddTdd:dd:dd"))
        {
            return null;
        }

        var fractionEnd = SecondsEnd;
        if (value[SecondsEnd] == '.')
        {
            fractionEnd++;
            while (fractionEnd < value.Length && char.IsAsciiDigit(value[fractionEnd]))
            {
                fractionEnd++;
            }

            if (fractionEnd == SecondsEnd + 1)
            {
                return null;
            }
        }

        var offset = value[fractionEnd..];
        if (!(offset is "Z" or "z" || (offset.Length == 6 && offset[0] is '+' or '-' && Matches(offset[1..], "dd:dd"))))
        {
            return null;
        }

        var fraction = value[SecondsEnd..Math.Min(fractionEnd, SecondsEnd + 8)];
        return string.Concat(value.AsSpan(0, SecondsEnd), fraction, offset).ToUpperInvariant();

        // 'd' is an ASCII digit, 'T' either case of it, anything else itself.
        static bool Matches(string text, string pattern)
        {
            for (var i = 0; i < pattern.Length; i++)
            {
                var ok = pattern[i] switch
                {
                    'd' => char.IsAsciiDigit(text[i]),
                    'T' => text[i] is 'T' or 't',
                    var literal => text[i] == literal,
                };
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }
    }

    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];
}
