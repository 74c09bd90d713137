using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using LocalEcr.Api;
using Microsoft.AspNetCore.Http;

namespace LocalEcr.Hosting;

/// <summary>
/// STS on the same endpoint (point <c>AWS_ENDPOINT_URL_STS</c> at LocalEcr): the query protocol, a form-encoded
/// <c>POST /</c> signed for service <c>sts</c>, answered in XML (botocore data/sts/2011-06-15/service-2.json).
/// AssumeRole hands out temporary keys for <c>arn:PARTITION:iam::ID:role/NAME</c> of a served account, which
/// LocalEcr then accepts as that account with their session token until they expire; GetCallerIdentity says
/// who signed.
/// </summary>
internal static partial class StsEndpoint
{
    public const string FormContentType = "application/x-www-form-urlencoded";
    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    private const int MaxBodyBytes = 64 * 1024;

    // Every role's default MaxSessionDuration is one hour; STS refuses longer without a change to the role.
    private static readonly TimeSpan MaxSessionDuration = TimeSpan.FromHours(1);

    // IAM role names: 1 to 64 of [\w+=,.@-], ASCII (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleNamePattern();

    // IAM paths: "/" or "/" + 1..510 of U+0021..U+007E + "/" (CreateRole's Path: pattern (\u002F)|(\u002F[\u0021-\u007E]+\u002F),
    // at most 512), so "role//name" names no role.
    [GeneratedRegex(@"^/(?:[\u0021-\u007E]{1,510}/)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex RolePathPattern();

    [GeneratedRegex(@"^[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();

    /// <summary>
    /// A form-encoded POST without X-Amz-Target. The media type is compared without its parameters (botocore sends
    /// "; charset=utf-8") and case (RFC 9110, section 8.3.1), as the ECR endpoint compares its own: a type that only
    /// begins with it is not it.
    /// </summary>
    public static bool Accepts(HttpRequest request) =>
        string.Equals(request.ContentType?.Split(';', 2)[0].Trim(), FormContentType, StringComparison.OrdinalIgnoreCase)
        && !request.Headers.ContainsKey("X-Amz-Target");

    public static async Task HandleAsync(HttpContext context, ServerContext server)
    {
        var request = context.Request;
        if (request.ContentLength is > MaxBodyBytes)
        {
            await WriteErrorAsync(context, 413, "Sender", "RequestEntityTooLarge", "Request body too large.");
            return;
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length > MaxBodyBytes)
        {
            await WriteErrorAsync(context, 413, "Sender", "RequestEntityTooLarge", "Request body too large.");
            return;
        }

        var body = buffer.ToArray();
        var outcome = server.StsVerifier.Verify(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, request.Headers, Convert.ToHexStringLower(SHA256.HashData(body)));
        if (!outcome.Valid)
        {
            // STS answers an incomplete signature with 400 (the common errors page; a wire log of GetCallerIdentity:
            // https://github.com/hashicorp/terraform-provider-aws/issues/26202), its other signature errors with 403.
            await WriteErrorAsync(context, outcome.ErrorCode == "IncompleteSignatureException" ? 400 : 403, "Sender", StsCode(outcome.ErrorCode!), outcome.ErrorMessage!);
            return;
        }

        var (caller, code, message) = server.Principals.Authenticate(outcome.AccessKeyId!, request.Headers);
        if (caller is null)
        {
            await WriteErrorAsync(context, code == "ExpiredTokenException" ? 400 : 403, "Sender", StsCode(code!), message!);
            return;
        }

        // A parameter given twice has no one value (joined with a comma, as ASP.NET's query parser joins them, two
        // would make one a session name may hold). How STS answers one is not documented: LocalEcr refuses it.
        var (form, repeated) = StsParameters.Parse(Encoding.UTF8.GetString(body));
        if (repeated is not null)
        {
            await WriteErrorAsync(context, 400, "Sender", "InvalidQueryParameter", $"The parameter {repeated} is given more than once.");
            return;
        }

        string? Get(string name) => form.TryGetValue(name, out var value) ? value : null;
        // The common errors of STS (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html): MissingAction.
        var action = Get("Action");
        if (string.IsNullOrEmpty(action))
        {
            await WriteErrorAsync(context, 400, "Sender", "MissingAction", "The request is missing an action or a required parameter.");
            return;
        }

        if (Get("Version") != "2011-06-15")
        {
            await WriteErrorAsync(context, 400, "Sender", "InvalidAction", $"Could not find operation {action} for version {Get("Version")}");
            return;
        }

        server.Calls.Record(outcome.Region!, "sts:" + action);
        if (action is not ("GetCallerIdentity" or "AssumeRole"))
        {
            await WriteErrorAsync(context, 400, "Sender", "InvalidAction", $"Could not find operation {action} for version 2011-06-15");
            return;
        }

        // A parameter the action does not define. What STS answers is not documented (it may ignore one); LocalEcr
        // refuses it, as its ECR endpoint refuses a member the model does not define.
        if (StsParameters.Unknown(action, form) is { } unknown)
        {
            await WriteErrorAsync(context, 400, "Sender", "InvalidQueryParameter", $"The parameter {unknown} is not recognized by {action}.");
            return;
        }

        if (action == "GetCallerIdentity")
        {
            await WriteResultAsync(context, "GetCallerIdentity", w =>
            {
                w.WriteElementString("Arn", Namespace, caller.Arn);
                w.WriteElementString("UserId", Namespace, caller.AccessKeyId);
                w.WriteElementString("Account", Namespace, caller.AccountId);
            });
            return;
        }

        await AssumeRoleAsync(context, server, outcome.Region!, caller.Arn, form);
    }

    private static async Task AssumeRoleAsync(HttpContext context, ServerContext server, string region, string callerArn, Dictionary<string, string> form)
    {
        // Every member against the model first, all violations in one answer, as STS does.
        var violations = StsParameters.AssumeRoleViolations(form);
        if (violations.Count > 0)
        {
            await WriteErrorAsync(context, 400, "Sender", "ValidationError", StsParameters.Message(violations));
            return;
        }

        var roleArn = form["RoleArn"];
        var sessionName = form["RoleSessionName"];
        var externalId = form.GetValueOrDefault("ExternalId");

        // Text the model's arnType takes but that is no ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, none of
        // partition, service and resource empty) is "<text> is invalid"; an ARN that is not an IAM role's is "Request
        // ARN is invalid". Both ValidationError (docs/fidelity.md, "Accounts and STS").
        var parts = roleArn.Split(':', 6);
        if (parts.Length < 6 || parts[0] != "arn" || parts[1].Length == 0 || parts[2].Length == 0 || parts[5].Length == 0)
        {
            await WriteErrorAsync(context, 400, "Sender", "ValidationError", roleArn + " is invalid");
            return;
        }

        if (parts[2] != "iam" || parts[3].Length != 0 || !AccountPattern().IsMatch(parts[4]) || !parts[5].StartsWith("role/", StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 400, "Sender", "ValidationError", "Request ARN is invalid");
            return;
        }

        var duration = TimeSpan.FromHours(1);
        if (form.TryGetValue("DurationSeconds", out var durationText))
        {
            duration = TimeSpan.FromSeconds(int.Parse(durationText, NumberStyles.None, CultureInfo.InvariantCulture));
            if (duration > MaxSessionDuration)
            {
                await WriteErrorAsync(context, 400, "Sender", "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
                return;
            }
        }

        // STS of one partition knows no role of another: the role ARN must name the signing region's partition, and
        // its account must be served in that partition (an account exists in one partition only).
        var partition = parts[1];
        var account = parts[4];
        var roleName = parts[5][(parts[5].LastIndexOf('/') + 1)..];
        var rolePath = parts[5]["role".Length..^roleName.Length];
        var denied = $"User: {callerArn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}";
        // STS's arnType takes any Unicode text, so such an ARN is well formed, but names a role IAM cannot have.
        if (partition != RegionPartition.IdOf(region) || server.Principals.PartitionOf(account) != partition
            || !RoleNamePattern().IsMatch(roleName) || !RolePathPattern().IsMatch(rolePath))
        {
            await WriteErrorAsync(context, 403, "Sender", "AccessDenied", denied);
            return;
        }

        if (server.Options.RequiredExternalIds.TryGetValue(account, out var required) && !string.Equals(required, externalId, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 403, "Sender", "AccessDenied", denied);
            return;
        }

        // What LocalEcr's roles do not model, it refuses rather than ignores: its trust policies grant sts:AssumeRole
        // alone (session tags need sts:TagSession, a source identity sts:SetSourceIdentity:
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html), no role of it has an MFA device or a
        // trusted context provider, and a session policy would narrow a session LocalEcr cannot narrow.
        if (StsParameters.SendsElements(form, "Tags") || StsParameters.SendsElements(form, "TransitiveTagKeys"))
        {
            await WriteErrorAsync(context, 403, "Sender", "AccessDenied", $"User: {callerArn} is not authorized to perform: sts:TagSession on resource: {roleArn}");
            return;
        }

        if (form.ContainsKey("SourceIdentity"))
        {
            await WriteErrorAsync(context, 403, "Sender", "AccessDenied", $"User: {callerArn} is not authorized to perform: sts:SetSourceIdentity on resource: {roleArn}");
            return;
        }

        if (form.ContainsKey("Policy") || StsParameters.SendsElements(form, "PolicyArns") || form.ContainsKey("SerialNumber") || form.ContainsKey("TokenCode")
            || StsParameters.SendsElements(form, "ProvidedContexts"))
        {
            await WriteErrorAsync(context, 403, "Sender", "AccessDenied", denied);
            return;
        }

        var session = server.Principals.IssueSession(account, roleArn, sessionName, duration);
        server.Calls.RecordAssumedRole(roleArn);
        await WriteResultAsync(context, "AssumeRole", w =>
        {
            w.WriteStartElement("Credentials", Namespace);
            w.WriteElementString("AccessKeyId", Namespace, session.AccessKeyId);
            w.WriteElementString("SecretAccessKey", Namespace, session.SecretKey);
            w.WriteElementString("SessionToken", Namespace, session.SessionToken);
            w.WriteElementString("Expiration", Namespace, session.Expiration!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteEndElement();
            w.WriteStartElement("AssumedRoleUser", Namespace);
            w.WriteElementString("AssumedRoleId", Namespace, "AROA" + account + ":" + sessionName);
            w.WriteElementString("Arn", Namespace, session.SessionArn);
            w.WriteEndElement();
        });
    }

    // The verifier speaks ECR's error codes; STS names the same failures differently, and answers an unknown key
    // (InvalidClientTokenId) with 403 Sender: https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html,
    // and a wire log of sts.af-south-1 in https://github.com/aws-azure-login/aws-azure-login/issues/251.
    private static string StsCode(string code) => code switch
    {
        "UnrecognizedClientException" => "InvalidClientTokenId",
        "InvalidSignatureException" => "SignatureDoesNotMatch",
        "MissingAuthenticationTokenException" => "MissingAuthenticationToken",
        "IncompleteSignatureException" => "IncompleteSignature",
        "ExpiredTokenException" => "ExpiredToken",
        _ => code,
    };

    private static Task WriteResultAsync(HttpContext context, string action, Action<XmlWriter> result) => WriteXmlAsync(context, 200, w =>
    {
        w.WriteStartElement(action + "Response", Namespace);
        w.WriteStartElement(action + "Result", Namespace);
        result(w);
        w.WriteEndElement();
        w.WriteStartElement("ResponseMetadata", Namespace);
        w.WriteElementString("RequestId", Namespace, RequestId(context));
        w.WriteEndElement();
        w.WriteEndElement();
    });

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string code, string message) => WriteXmlAsync(context, status, w =>
    {
        w.WriteStartElement("ErrorResponse", Namespace);
        w.WriteStartElement("Error", Namespace);
        w.WriteElementString("Type", Namespace, type);
        w.WriteElementString("Code", Namespace, code);
        w.WriteElementString("Message", Namespace, XmlText(message));
        w.WriteEndElement();
        w.WriteElementString("RequestId", Namespace, RequestId(context));
        w.WriteEndElement();
    });

    /// <summary>
    /// <paramref name="text"/> with every character XML 1.0 cannot carry (a control character, a lone surrogate, U+FFFE)
    /// written as <c>\uXXXX</c>: a refused value is quoted in the message, and an answer a client cannot parse is no answer.
    /// </summary>
    private static string XmlText(string text)
    {
        var safe = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                safe.Append(text, i++, 2);
            }
            else if (XmlConvert.IsXmlChar(text[i]))
            {
                safe.Append(text[i]);
            }
            else
            {
                safe.Append(CultureInfo.InvariantCulture, $"\\u{(int)text[i]:X4}");
            }
        }

        return safe.ToString();
    }

    private static async Task WriteXmlAsync(HttpContext context, int status, Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Async = false }))
        {
            writer.WriteStartDocument();
            write(writer);
            writer.WriteEndDocument();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        context.Response.Headers["x-amzn-RequestId"] = RequestId(context);
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    private static string RequestId(HttpContext context)
    {
        if (context.Items.TryGetValue("x-amzn-RequestId", out var id) && id is string existing)
        {
            return existing;
        }

        var fresh = Guid.NewGuid().ToString();
        context.Items["x-amzn-RequestId"] = fresh;
        return fresh;
    }
}
