using System.Net;
using LocalEcr.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace LocalEcr.Tests.Sts;

/// <summary>
/// Every check LocalEcr's STS endpoint makes on a request, over raw signed query requests (botocore checks some of
/// them itself and would never send the request): the signature and the caller's key, the content type and body size,
/// Action and Version, the parameters an action defines, and AssumeRole's members against botocore's STS model
/// (data/sts/2011-06-15/service-2.json), refused with STS's code, status and message shape. docs/fidelity.md,
/// "Accounts and STS", holds the evidence.
/// </summary>
public sealed class StsRequestTests
{
    private const string OtherAccount = "222222222222";
    private const string Role = "arn:aws:iam::222222222222:role/ecr-replicator-destination";
    private const string ArnPattern = @"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+";
    private const string Caller = "arn:aws:iam::000000000000:user/localecr";

    private static readonly DateTimeOffset Now = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    [Fact]
    public async Task A_valid_AssumeRole_and_GetCallerIdentity_are_answered()
    {
        await using var sts = await StsServer.StartAsync();

        var assumed = (await sts.Client.SendStsAsync(AssumeRole())).EnsureOk();
        var identity = (await sts.Client.SendStsAsync(GetCallerIdentity())).EnsureOk();

        Assert.Equal("arn:aws:sts::222222222222:assumed-role/ecr-replicator-destination/session", assumed.Result("AssumedRoleUser", "Arn"));
        Assert.Equal("2026-05-06T08:08:09Z", assumed.Result("Credentials", "Expiration"));
        Assert.Equal(Caller, identity.Result("Arn"));
        Assert.Equal([Role], sts.Server.Calls.AssumedRoles);
    }

    public static TheoryData<string, string?, string> OneViolation() => new()
    {
        // The model's RoleArn (arnType): required, 20..2048, its pattern.
        { "RoleArn", null, "Value null at 'roleArn' failed to satisfy constraint: Member must not be null" },
        { "RoleArn", "arn:aws:iam::1:role", "Value 'arn:aws:iam::1:role' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20" },
        { "RoleArn", LongRoleArn, $"Value '{LongRoleArn}' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048" },
        { "RoleArn", "arn:aws:iam::222222222222:role/a\u0001b", @"Value 'arn:aws:iam::222222222222:role/a\u0001b' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + ArnPattern },

        // RoleSessionName: required, 2..64, [\w+=,.@-]* with ASCII \w; the last two are STS's own texts, as
        // localstack/localstack's STS tests recorded them against AWS (the pattern's in pull 12885, 2025-07-21; the
        // length's on 2026-02-09) and as users quote them (docs/fidelity.md).
        { "RoleSessionName", null, "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null" },
        { "RoleSessionName", "a", "Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2" },
        { "RoleSessionName", new string('s', 65), $"Value '{new string('s', 65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64" },
        { "RoleSessionName", "Session1:2", @"Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*" },

        // ExternalId: 2..1224, [\w+=,.@:\/-]*.
        { "ExternalId", "x", "Value 'x' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2" },
        { "ExternalId", new string('e', 1225), $"Value '{new string('e', 1225)}' at 'externalId' failed to satisfy constraint: Member must have length less than or equal to 1224" },
        { "ExternalId", "a b", @"Value 'a b' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@:\/-]*" },

        // DurationSeconds: an integer, 900..43200.
        { "DurationSeconds", "899", "Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900" },
        { "DurationSeconds", "43201", "Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200" },
        { "DurationSeconds", "+900", "Value '+900' at 'durationSeconds' failed to satisfy constraint: Member must be an integer" },
        { "DurationSeconds", "abc", "Value 'abc' at 'durationSeconds' failed to satisfy constraint: Member must be an integer" },

        // The members LocalEcr does not model are held to the model too, before it refuses them.
        { "SerialNumber", "arn:mfa", "Value 'arn:mfa' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9" },
        { "TokenCode", "1234567", "Value '1234567' at 'tokenCode' failed to satisfy constraint: Member must have length less than or equal to 6" },
        { "TokenCode", "12345x", @"Value '12345x' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\d]*" },
        { "SourceIdentity", "a", "Value 'a' at 'sourceIdentity' failed to satisfy constraint: Member must have length greater than or equal to 2" },
        { "Policy", "{\"Statement\":\"\u20ac\"}", "Value '{\"Statement\":\"\u20ac\"}' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" },
        { "PolicyArns.member.1.arn", "arn:aws:iam::aws:p", "Value 'arn:aws:iam::aws:p' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20" },
        { "Tags.member.1.Key", "team", "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null" },
        { "TransitiveTagKeys.member.1", "a;b", @"Value 'a;b' at 'transitiveTagKeys.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+" },
        { "ProvidedContexts", string.Empty, "Value '[]' at 'providedContexts' failed to satisfy constraint: Member must have length greater than or equal to 1" },
        { "ProvidedContexts.member.1.ContextAssertion", "abc", "Value 'abc' at 'providedContexts.1.member.contextAssertion' failed to satisfy constraint: Member must have length greater than or equal to 4" },
    };

    private static string LongRoleArn => Role[..^"ecr-replicator-destination".Length] + new string('p', 2020) + "/x";

    /// <summary>A request breaking one constraint of the model is ValidationError (400, Sender), in STS's words.</summary>
    [Theory]
    [MemberData(nameof(OneViolation))]
    public async Task A_member_breaking_the_model_is_a_ValidationError_naming_it(string name, string? value, string violation)
    {
        await using var sts = await StsServer.StartAsync();

        var refused = await sts.Client.SendStsAsync(With(AssumeRole(), name, value));

        refused.AssertError("ValidationError", HttpStatusCode.BadRequest, "1 validation error detected: " + violation);
        Assert.Empty(sts.Server.Calls.AssumedRoles);
    }

    [Fact]
    public async Task Every_violation_of_a_request_is_named_in_one_answer()
    {
        await using var sts = await StsServer.StartAsync();

        var refused = await sts.Client.SendStsAsync(With(With(AssumeRole(), "RoleArn", string.Empty), "RoleSessionName", string.Empty));

        // As STS answered an empty roleArn (https://github.com/newscorpaus/consigliere/issues/18): the pattern, then the length.
        refused.AssertError("ValidationError", HttpStatusCode.BadRequest, "3 validation errors detected: "
            + "Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + ArnPattern
            + "; Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"
            + "; Value '' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2");
    }

    [Fact]
    public async Task Fifty_session_tags_pass_the_model_and_fifty_one_do_not()
    {
        await using var sts = await StsServer.StartAsync();
        static IEnumerable<(string, string)> Tags(int count) => Enumerable.Range(1, count)
            .SelectMany(i => new[] { ($"Tags.member.{i}.Key", $"k{i}"), ($"Tags.member.{i}.Value", "v") });

        var fifty = await sts.Client.SendStsAsync(AssumeRole().Concat(Tags(50)));
        var fiftyOne = await sts.Client.SendStsAsync(AssumeRole().Concat(Tags(51)));

        fifty.AssertError("AccessDenied", HttpStatusCode.Forbidden);
        fiftyOne.AssertError("ValidationError", HttpStatusCode.BadRequest);
        Assert.StartsWith("1 validation error detected: Value '[k1, v, k10, v, ", fiftyOne.Message, StringComparison.Ordinal);
        Assert.EndsWith("]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50", fiftyOne.Message, StringComparison.Ordinal);
    }

    /// <summary>The bounds themselves are accepted: the session lasts exactly the DurationSeconds asked.</summary>
    [Theory]
    [InlineData("RoleSessionName", "ab", null)]
    [InlineData("RoleSessionName", "Az09_+=,.@-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", null)]
    [InlineData("ExternalId", "ab", null)]
    [InlineData("ExternalId", "tenant:a/b=c,d.e@f+g_h-i", null)]
    [InlineData("DurationSeconds", "900", "2026-05-06T07:23:09Z")]
    [InlineData("DurationSeconds", "3600", "2026-05-06T08:08:09Z")]
    [InlineData("RoleArn", "arn:aws:iam::222222222222:role/team/ci/deployer", null)]
    public async Task A_value_at_the_bounds_of_the_model_is_accepted(string name, string value, string? expiration)
    {
        await using var sts = await StsServer.StartAsync();

        var assumed = (await sts.Client.SendStsAsync(With(AssumeRole(), name, value))).EnsureOk();

        Assert.Equal(expiration ?? "2026-05-06T08:08:09Z", assumed.Result("Credentials", "Expiration"));
        if (name == "RoleArn")
        {
            Assert.Equal("arn:aws:sts::222222222222:assumed-role/deployer/session", assumed.Result("AssumedRoleUser", "Arn"));
        }

        if (name == "RoleSessionName")
        {
            Assert.EndsWith("/" + value, assumed.Result("AssumedRoleUser", "Arn"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_duration_beyond_the_roles_one_hour_is_refused_as_STS_words_it()
    {
        await using var sts = await StsServer.StartAsync();

        var refused = await sts.Client.SendStsAsync(With(AssumeRole(), "DurationSeconds", "3601"));

        refused.AssertError("ValidationError", HttpStatusCode.BadRequest, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }

    /// <summary>
    /// Text the model takes as a RoleArn but that is no ARN is "TEXT is invalid", and an ARN that is not an IAM role's is
    /// "Request ARN is invalid": ValidationError either way.
    /// </summary>
    [Theory]
    [InlineData("nothing-valid-in-here", "nothing-valid-in-here is invalid")]
    [InlineData("arn::iam::222222222222:role/x", "arn::iam::222222222222:role/x is invalid")]
    [InlineData("arn:aws:::222222222222:role/x", "arn:aws:::222222222222:role/x is invalid")]
    [InlineData("arn:aws:iam::222222222222", "arn:aws:iam::222222222222 is invalid")]
    [InlineData("arn:aws:iam::222222222222:", "arn:aws:iam::222222222222: is invalid")]
    [InlineData("urn:aws:iam::222222222222:role/x", "urn:aws:iam::222222222222:role/x is invalid")]
    [InlineData("arn:aws:iam::222222222222:user/alice", "Request ARN is invalid")]
    [InlineData("arn:aws:iam::222222222222:saml-provider/corp", "Request ARN is invalid")]
    [InlineData("arn:aws:s3:::bucket/role/x", "Request ARN is invalid")]
    [InlineData("arn:aws:sts::222222222222:role/x", "Request ARN is invalid")]
    [InlineData("arn:aws:iam:us-east-1:222222222222:role/x", "Request ARN is invalid")]
    [InlineData("arn:aws:iam::22222222222:role/xy", "Request ARN is invalid")]
    [InlineData("arn:aws:iam::2222222222220:role/x", "Request ARN is invalid")]
    public async Task A_role_arn_that_is_no_ARN_or_no_roles_is_a_ValidationError(string roleArn, string message)
    {
        await using var sts = await StsServer.StartAsync();

        var refused = await sts.Client.SendStsAsync(With(AssumeRole(), "RoleArn", roleArn));

        refused.AssertError("ValidationError", HttpStatusCode.BadRequest, message);
    }

    /// <summary>A role ARN no IAM role can have (its path or name breaking IAM's rules) is AccessDenied, as a missing role is.</summary>
    [Theory]
    [InlineData("arn:aws:iam::222222222222:role//x")]
    [InlineData("arn:aws:iam::222222222222:role/")]
    [InlineData("arn:aws:iam::222222222222:role/r\u00f4le")]
    [InlineData("arn:aws:iam::222222222222:role/p\u00e4th/x")]
    [InlineData("arn:aws:iam::222222222222:role/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public async Task A_role_IAM_cannot_have_is_AccessDenied(string roleArn)
    {
        await using var sts = await StsServer.StartAsync();

        var refused = await sts.Client.SendStsAsync(With(AssumeRole(), "RoleArn", roleArn));

        refused.AssertError("AccessDenied", HttpStatusCode.Forbidden, $"User: {Caller} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
    }

    /// <summary>A role whose trust policy requires an external id (sts:ExternalId) takes exactly that one, ordinally.</summary>
    [Fact]
    public async Task A_role_requiring_an_external_id_is_AccessDenied_without_exactly_it()
    {
        await using var sts = await StsServer.StartAsync(options => options.RequiredExternalIds[OtherAccount] = "tenant-7");
        var denied = $"User: {Caller} is not authorized to perform: sts:AssumeRole on resource: {Role}";

        var without = await sts.Client.SendStsAsync(AssumeRole());
        var other = await sts.Client.SendStsAsync(With(AssumeRole(), "ExternalId", "Tenant-7"));
        var right = await sts.Client.SendStsAsync(With(AssumeRole(), "ExternalId", "tenant-7"));

        without.AssertError("AccessDenied", HttpStatusCode.Forbidden, denied);
        other.AssertError("AccessDenied", HttpStatusCode.Forbidden, denied);
        right.EnsureOk();
        Assert.Equal([Role], sts.Server.Calls.AssumedRoles);
    }

    [Fact]
    public async Task A_role_path_is_at_most_512_characters()
    {
        await using var sts = await StsServer.StartAsync();
        var longest = $"arn:aws:iam::222222222222:role/{new string('p', 510)}/x";
        var tooLong = $"arn:aws:iam::222222222222:role/{new string('p', 511)}/x";

        (await sts.Client.SendStsAsync(With(AssumeRole(), "RoleArn", longest))).EnsureOk();
        (await sts.Client.SendStsAsync(With(AssumeRole(), "RoleArn", tooLong))).AssertError("AccessDenied", HttpStatusCode.Forbidden);
    }

    /// <summary>
    /// Members LocalEcr does not model are refused, not ignored: its roles' trust grants sts:AssumeRole alone (session tags
    /// need sts:TagSession, a source identity sts:SetSourceIdentity), none has an MFA device or a context provider, and a
    /// session policy would narrow a session LocalEcr cannot narrow. An empty list asks for nothing.
    /// </summary>
    [Theory]
    [InlineData("sts:TagSession", "Tags.member.1.Key", "team", "Tags.member.1.Value", "ci")]
    [InlineData("sts:TagSession", "TransitiveTagKeys.member.1", "team", null, null)]
    [InlineData("sts:SetSourceIdentity", "SourceIdentity", "alice", null, null)]
    [InlineData("sts:AssumeRole", "Policy", "{\"Version\":\"2012-10-17\",\"Statement\":[]}", null, null)]
    [InlineData("sts:AssumeRole", "PolicyArns.member.1.arn", "arn:aws:iam::aws:policy/ReadOnlyAccess", null, null)]
    [InlineData("sts:AssumeRole", "SerialNumber", "arn:aws:iam::000000000000:mfa/localecr", "TokenCode", "123456")]
    [InlineData("sts:AssumeRole", "TokenCode", "123456", null, null)]
    [InlineData("sts:AssumeRole", "ProvidedContexts.member.1.ProviderArn", "arn:aws:iam::aws:contextProvider/IdentityCenter", "ProvidedContexts.member.1.ContextAssertion", "abcd")]
    [InlineData(null, "Tags", "", "PolicyArns", "")]
    public async Task A_member_LocalEcr_does_not_model_is_refused_not_ignored(string? action, string name, string value, string? other, string? otherValue)
    {
        await using var sts = await StsServer.StartAsync();
        var form = With(AssumeRole(), name, value);
        if (other is not null)
        {
            form = With(form, other, otherValue);
        }

        var answer = await sts.Client.SendStsAsync(form);

        if (action is null)
        {
            answer.EnsureOk();
            return;
        }

        answer.AssertError("AccessDenied", HttpStatusCode.Forbidden, $"User: {Caller} is not authorized to perform: {action} on resource: {Role}");
        Assert.Empty(sts.Server.Calls.AssumedRoles);
    }

    /// <summary>
    /// A parameter the action does not define, a list not numbered 1..n, a list element's unknown field, and a parameter
    /// given twice are InvalidQueryParameter (400): how STS answers them is not documented, and LocalEcr takes none.
    /// </summary>
    [Theory]
    [InlineData("AssumeRole", "Foo", "Foo")]
    [InlineData("AssumeRole", "roleArn", "roleArn")]
    [InlineData("AssumeRole", "Tags.member.0.Key", "Tags.member.0.Key")]
    [InlineData("AssumeRole", "Tags.member.2.Key", "Tags")]
    [InlineData("AssumeRole", "Tags.member.1.Name", "Tags.member.1.Name")]
    [InlineData("AssumeRole", "Tags.1.Key", "Tags.1.Key")]
    [InlineData("AssumeRole", "TransitiveTagKeys.member.1.Key", "TransitiveTagKeys.member.1.Key")]
    [InlineData("GetCallerIdentity", "RoleArn", "RoleArn")]
    public async Task A_parameter_the_action_does_not_define_is_InvalidQueryParameter(string action, string name, string named)
    {
        await using var sts = await StsServer.StartAsync();
        var form = action == "AssumeRole" ? AssumeRole() : GetCallerIdentity();

        var refused = await sts.Client.SendStsAsync(form.Append((name, "v")));

        refused.AssertError("InvalidQueryParameter", HttpStatusCode.BadRequest, $"The parameter {named} is not recognized by {action}.");
    }

    [Fact]
    public async Task A_parameter_given_twice_is_InvalidQueryParameter_not_its_values_joined()
    {
        await using var sts = await StsServer.StartAsync();

        // Joined with a comma, "a" and "b" would make the valid session name "a,b".
        var refused = await sts.Client.SendStsAsync(AssumeRole().Append(("RoleSessionName", "b")));

        refused.AssertError("InvalidQueryParameter", HttpStatusCode.BadRequest, "The parameter RoleSessionName is given more than once.");
        Assert.Empty(sts.Server.Calls.AssumedRoles);
    }

    [Fact]
    public async Task Action_and_Version_name_an_operation_of_STS_2011_06_15()
    {
        await using var sts = await StsServer.StartAsync();

        var noAction = await sts.Client.SendStsAsync([("Version", "2011-06-15")]);
        var emptyAction = await sts.Client.SendStsAsync([("Action", string.Empty), ("Version", "2011-06-15")]);
        var noVersion = await sts.Client.SendStsAsync([("Action", "GetCallerIdentity")]);
        var otherVersion = await sts.Client.SendStsAsync([("Action", "GetCallerIdentity"), ("Version", "2011-06-16")]);
        var unknown = await sts.Client.SendStsAsync([("Action", "GetSessionToken"), ("Version", "2011-06-15")]);
        var lowerCase = await sts.Client.SendStsAsync([("Action", "getCallerIdentity"), ("Version", "2011-06-15")]);

        noAction.AssertError("MissingAction", HttpStatusCode.BadRequest, "The request is missing an action or a required parameter.");
        emptyAction.AssertError("MissingAction", HttpStatusCode.BadRequest);
        noVersion.AssertError("InvalidAction", HttpStatusCode.BadRequest, "Could not find operation GetCallerIdentity for version ");
        otherVersion.AssertError("InvalidAction", HttpStatusCode.BadRequest, "Could not find operation GetCallerIdentity for version 2011-06-16");
        unknown.AssertError("InvalidAction", HttpStatusCode.BadRequest, "Could not find operation GetSessionToken for version 2011-06-15");
        lowerCase.AssertError("InvalidAction", HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// The query protocol's media type, compared without its parameters and case; any other type (one that only begins
    /// with it, or none) is not an STS request and goes to the ECR endpoint, which refuses it without a target.
    /// </summary>
    [Theory]
    [InlineData("application/x-www-form-urlencoded; charset=utf-8", true)]
    [InlineData("application/x-www-form-urlencoded", true)]
    [InlineData("Application/X-WWW-Form-Urlencoded;charset=UTF-8", true)]
    [InlineData("application/x-www-form-urlencodedx", false)]
    [InlineData("application/x-www-form-urlencoded-v2; charset=utf-8", false)]
    [InlineData("text/plain", false)]
    [InlineData(null, false)]
    public async Task Only_the_form_media_type_is_an_STS_request(string? contentType, bool sts)
    {
        await using var server = await StsServer.StartAsync();

        // Signed for the service that should take it: STS, else ECR, which then finds no operation to carry out.
        var answer = await server.Client.SendStsAsync(GetCallerIdentity(), contentType: contentType, service: sts ? "sts" : "ecr");

        if (sts)
        {
            Assert.Equal(Caller, answer.EnsureOk().Result("Arn"));
            return;
        }

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("UnknownOperationException", answer.Body, StringComparison.Ordinal);
        Assert.Equal(0, server.Server.Calls.Count("us-east-1", "sts:GetCallerIdentity"));
    }

    /// <summary>A body over 64 KiB is refused before it is read as a request, whether its length is declared or not.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_64_KiB_is_RequestEntityTooLarge(bool chunked)
    {
        await using var sts = await StsServer.StartAsync();
        var prefix = string.Join('&', AssumeRole().Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value))) + "&Policy=";
        (string, string)[] Padded(int bodyLength) => [.. AssumeRole(), ("Policy", new string('p', bodyLength - prefix.Length))];

        var largest = await sts.Client.SendStsAsync(Padded(64 * 1024), chunked: chunked);
        var tooLarge = await sts.Client.SendStsAsync(Padded((64 * 1024) + 1), chunked: chunked);

        // At 64 KiB the request is read, and refused for its session policy.
        largest.AssertError("AccessDenied", HttpStatusCode.Forbidden);
        tooLarge.AssertError("RequestEntityTooLarge", (HttpStatusCode)413, "Request body too large.");
    }

    /// <summary>
    /// A body declared over 64 KiB is refused from its Content-Length, before a byte of it arrives: LocalEcr neither waits
    /// for nor buffers what it will refuse.
    /// </summary>
    [Fact]
    public async Task A_body_declared_over_64_KiB_is_refused_before_it_arrives()
    {
        await using var sts = await StsServer.StartAsync();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(sts.Server.BaseAddress.Host, sts.Server.BaseAddress.Port);

        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(
            $"POST / HTTP/1.1\r\nHost: {sts.Server.BaseAddress.Authority}\r\nContent-Type: {EcrTestClient.StsForm}\r\nContent-Length: {(64 * 1024) + 1}\r\n\r\n"));
        var answer = new byte[4096];
        var read = await socket.ReceiveAsync(answer, System.Net.Sockets.SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("HTTP/1.1 413 ", System.Text.Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_is_not_signed_right_is_refused_with_the_STS_code_and_status()
    {
        await using var sts = await StsServer.StartAsync();
        var client = sts.Client;

        var wrongSecret = await client.WithKeys("test", "not-the-secret").SendStsAsync(GetCallerIdentity());
        var unknownKey = await client.WithKeys("AKIANOBODY", "test").SendStsAsync(GetCallerIdentity());
        var ecrScope = await client.SendStsAsync(GetCallerIdentity(), service: "ecr");
        var unsigned = await client.SendStsAsync(GetCallerIdentity(), request => request.Headers.Remove("Authorization"));
        var incomplete = await client.SendStsAsync(GetCallerIdentity(), request =>
        {
            var signed = request.Headers.GetValues("Authorization").Single();
            request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation("Authorization", signed[..signed.IndexOf(", Signature=", StringComparison.Ordinal)]);
        });
        var changedBody = await client.SendStsAsync(GetCallerIdentity(), request =>
        {
            var type = request.Content!.Headers.ContentType;
            request.Content = new ByteArrayContent("Action=GetCallerIdentity&Version=2011-06-15&Foo=1"u8.ToArray());
            request.Content.Headers.ContentType = type;
        });
        using var late = new EcrTestClient(sts.Server) { Clock = new FakeTimeProvider(Now - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1)) };
        var expired = await late.SendStsAsync(GetCallerIdentity());

        wrongSecret.AssertError("SignatureDoesNotMatch", HttpStatusCode.Forbidden);
        unknownKey.AssertError("InvalidClientTokenId", HttpStatusCode.Forbidden, "The security token included in the request is invalid.");
        ecrScope.AssertError("SignatureDoesNotMatch", HttpStatusCode.Forbidden, "Credential should be scoped to correct service: 'sts'.");
        unsigned.AssertError("MissingAuthenticationToken", HttpStatusCode.Forbidden);
        incomplete.AssertError("IncompleteSignature", HttpStatusCode.BadRequest);
        changedBody.AssertError("SignatureDoesNotMatch", HttpStatusCode.Forbidden);
        expired.AssertError("SignatureDoesNotMatch", HttpStatusCode.Forbidden);
        Assert.StartsWith("Signature expired: ", expired.Message, StringComparison.Ordinal);
        Assert.Equal(0, sts.Server.Calls.Total);
    }

    [Fact]
    public async Task A_session_is_refused_without_its_token_and_once_expired()
    {
        await using var sts = await StsServer.StartAsync();
        var credentials = (await sts.Client.SendStsAsync(AssumeRole())).EnsureOk();
        var key = credentials.Result("Credentials", "AccessKeyId")!;
        var secret = credentials.Result("Credentials", "SecretAccessKey")!;
        var token = credentials.Result("Credentials", "SessionToken")!;
        using var session = new EcrTestClient(sts.Server, accessKey: key, secretKey: secret) { SessionToken = token, Clock = sts.Time };
        using var noToken = new EcrTestClient(sts.Server, accessKey: key, secretKey: secret) { Clock = sts.Time };
        using var otherToken = new EcrTestClient(sts.Server, accessKey: key, secretKey: secret) { SessionToken = token + "x", Clock = sts.Time };

        Assert.Equal(OtherAccount, (await session.SendStsAsync(GetCallerIdentity())).EnsureOk().Result("Account"));
        (await noToken.SendStsAsync(GetCallerIdentity())).AssertError("InvalidClientTokenId", HttpStatusCode.Forbidden);
        (await otherToken.SendStsAsync(GetCallerIdentity())).AssertError("InvalidClientTokenId", HttpStatusCode.Forbidden);
        sts.Server.ExpireSessions();
        (await session.SendStsAsync(GetCallerIdentity())).AssertError("ExpiredToken", HttpStatusCode.BadRequest, "The security token included in the request is expired");
    }

    /// <summary>A refused value is quoted in the message; a character XML cannot carry is written as \uXXXX, so the answer parses.</summary>
    [Fact]
    public async Task A_refused_value_XML_cannot_carry_is_quoted_escaped()
    {
        await using var sts = await StsServer.StartAsync();

        var refused = await sts.Client.SendStsAsync(With(AssumeRole(), "RoleSessionName", "a\u0000\u001F\uFFFEb"));

        refused.AssertError("ValidationError", HttpStatusCode.BadRequest,
            @"1 validation error detected: Value 'a\u0000\u001F\uFFFEb' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*");
    }

    private static (string Name, string Value)[] AssumeRole() =>
        [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", Role), ("RoleSessionName", "session")];

    private static (string Name, string Value)[] GetCallerIdentity() => [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];

    /// <summary><paramref name="form"/> with <paramref name="name"/> set to <paramref name="value"/>, or left out when it is null.</summary>
    private static (string Name, string Value)[] With(IEnumerable<(string Name, string Value)> form, string name, string? value)
    {
        var rest = form.Where(p => p.Name != name);
        return value is null ? [.. rest] : [.. rest, (name, value)];
    }

    /// <summary>A LocalEcr serving account 222222222222 too, on a fake clock its client signs with.</summary>
    private sealed class StsServer(LocalEcrServer server, FakeTimeProvider time) : IAsyncDisposable
    {
        public LocalEcrServer Server { get; } = server;

        public FakeTimeProvider Time { get; } = time;

        public EcrTestClient Client { get; } = new(server) { Clock = time };

        public static async Task<StsServer> StartAsync(Action<LocalEcrOptions>? configure = null)
        {
            var time = new FakeTimeProvider(Now);
            var options = new LocalEcrOptions { TimeProvider = time };
            options.OtherAccounts.Add(new LocalEcrAccount(OtherAccount, "AKIAOTHERACCOUNT0001", "other-secret"));
            configure?.Invoke(options);
            return new StsServer(await LocalEcrServer.StartAsync(options), time);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }
}
