using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using LocalEcr.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

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

    // STS's \w is Java's, ASCII only (the AssumeRole API reference: "upper- and lower-case alphanumeric characters"),
    // where .NET's takes every Unicode letter and digit: spelled out here, as DestinationAccess spells it.
    [GeneratedRegex(@"^arn:(aws[a-z-]*):iam::([0-9]{12}):role/(?:[\u0021-\u007E]*/)?([^/]{1,64})\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    // IAM role names: 1 to 64 of [\w+=,.@-], ASCII (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{2,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@:/-]{2,1224}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();

    public static bool Accepts(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith(FormContentType, StringComparison.OrdinalIgnoreCase) && !request.Headers.ContainsKey("X-Amz-Target");

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
            await WriteErrorAsync(context, 403, "Sender", StsCode(outcome.ErrorCode!), outcome.ErrorMessage!);
            return;
        }

        var (caller, code, message) = server.Principals.Authenticate(outcome.AccessKeyId!, request.Headers);
        if (caller is null)
        {
            await WriteErrorAsync(context, code == "ExpiredTokenException" ? 400 : 403, "Sender", StsCode(code!), message!);
            return;
        }

        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        string? Get(string name) => form.TryGetValue(name, out var values) ? values.ToString() : null;
        if (Get("Version") != "2011-06-15")
        {
            await WriteErrorAsync(context, 400, "Sender", "InvalidAction", "Could not find operation for version " + Get("Version"));
            return;
        }

        server.Calls.Record(outcome.Region!, "sts:" + Get("Action"));
        switch (Get("Action"))
        {
            case "GetCallerIdentity":
                await WriteResultAsync(context, "GetCallerIdentity", w =>
                {
                    w.WriteElementString("Arn", Namespace, caller.Arn);
                    w.WriteElementString("UserId", Namespace, caller.AccessKeyId);
                    w.WriteElementString("Account", Namespace, caller.AccountId);
                });
                return;
            case "AssumeRole":
                await AssumeRoleAsync(context, server, outcome.Region!, caller.Arn, Get);
                return;
            default:
                await WriteErrorAsync(context, 400, "Sender", "InvalidAction", $"Could not find operation {Get("Action")} for version 2011-06-15");
                return;
        }
    }

    private static async Task AssumeRoleAsync(HttpContext context, ServerContext server, string region, string callerArn, Func<string, string?> get)
    {
        var roleArn = get("RoleArn");
        var sessionName = get("RoleSessionName");
        var externalId = get("ExternalId");
        var durationText = get("DurationSeconds");
        if (roleArn is null || roleArn.Length is < 20 or > 2048 || RoleArnPattern().Match(roleArn) is not { Success: true } arn)
        {
            await WriteErrorAsync(context, 400, "Sender", "ValidationError", "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must be a role ARN");
            return;
        }

        if (sessionName is null || !SessionNamePattern().IsMatch(sessionName))
        {
            await WriteErrorAsync(context, 400, "Sender", "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
            return;
        }

        if (externalId is not null && !ExternalIdPattern().IsMatch(externalId))
        {
            await WriteErrorAsync(context, 400, "Sender", "ValidationError", "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
            return;
        }

        var duration = TimeSpan.FromHours(1);
        if (durationText is not null)
        {
            if (!int.TryParse(durationText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 900 || seconds > 43200)
            {
                await WriteErrorAsync(context, 400, "Sender", "ValidationError", "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
                return;
            }

            duration = TimeSpan.FromSeconds(seconds);
            if (duration > MaxSessionDuration)
            {
                await WriteErrorAsync(context, 400, "Sender", "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
                return;
            }
        }

        // STS of one partition knows no role of another: the role ARN must name the signing region's partition, and
        // its account must be served in that partition (an account exists in one partition only).
        var account = arn.Groups[2].Value;
        var partition = RegionPartition.IdOf(region);
        var denied = $"User: {callerArn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}";
        // STS's roleArnType takes any Unicode text, so such an ARN is well formed, but names a role IAM cannot have.
        if (arn.Groups[1].Value != partition || server.Principals.PartitionOf(account) != partition || !RoleNamePattern().IsMatch(arn.Groups[3].Value))
        {
            await WriteErrorAsync(context, 403, "Sender", "AccessDenied", denied);
            return;
        }

        if (server.Options.RequiredExternalIds.TryGetValue(account, out var required) && !string.Equals(required, externalId, StringComparison.Ordinal))
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
        w.WriteElementString("Message", Namespace, message);
        w.WriteEndElement();
        w.WriteElementString("RequestId", Namespace, RequestId(context));
        w.WriteEndElement();
    });

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
