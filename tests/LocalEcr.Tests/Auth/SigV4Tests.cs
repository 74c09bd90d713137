using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace LocalEcr.Tests.Auth;

public sealed class SigV4Tests
{
    [Fact]
    public async Task An_unknown_access_key_is_UnrecognizedClient_400()
    {
        // ECR sends it with "400 Bad Request" (https://github.com/aws/aws-sdk-php/issues/1114).
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server).WithKeys("AKIAOTHER", "test");
        (await client.CallAsync("DescribeRepositories")).AssertError("UnrecognizedClientException", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_wrong_secret_is_InvalidSignature_400_as_from_the_JSON_services()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { AccessKey = "AKIDEXAMPLE", SecretKey = "right" });
        using var wrong = new EcrTestClient(server).WithKeys("AKIDEXAMPLE", "wrong");
        (await wrong.CallAsync("DescribeRepositories")).AssertError("InvalidSignatureException", HttpStatusCode.BadRequest);
        using var right = new EcrTestClient(server).WithKeys("AKIDEXAMPLE", "right");
        (await right.CallAsync("DescribeRepositories")).EnsureOk();
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_InvalidSignature()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var signed = Encoding.UTF8.GetBytes("{\"repositoryName\":\"aa\"}");
        var response = await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.CreateRepository", signed, request =>
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"repositoryName\":\"bb\"}"));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        });
        response.AssertError("InvalidSignatureException", HttpStatusCode.BadRequest);
        Assert.Equal(0, server.Calls.Total);
    }

    /// <summary>
    /// UNSIGNED-PAYLOAD is Amazon S3's option (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html);
    /// the JSON services sign the body's hash, so a request signed over the literal is refused there, while the same
    /// header carrying the body's real hash is accepted.
    /// </summary>
    [Fact]
    public async Task A_request_signed_with_UNSIGNED_PAYLOAD_is_InvalidSignature_and_one_with_the_bodys_hash_is_accepted()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var body = Encoding.UTF8.GetBytes("{\"repositoryName\":\"aa\"}");
        const string Target = "AmazonEC2ContainerRegistry_V20150921.CreateRepository";

        var unsigned = await client.SendRawAsync(Target, body, payloadHash: "UNSIGNED-PAYLOAD");
        var hashed = await client.SendRawAsync(Target, body, payloadHash: Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)));

        unsigned.AssertError("InvalidSignatureException", HttpStatusCode.BadRequest);
        hashed.EnsureOk();
        Assert.Equal(1, server.Calls.Total);
    }

    [Fact]
    public async Task A_signed_header_changed_after_signing_is_InvalidSignature()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var response = await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}"u8.ToArray(), request =>
        {
            request.Headers.Remove("X-Amz-Target");
            request.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
        });
        response.AssertError("InvalidSignatureException", HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// The signing guide names the algorithm AWS4-HMAC-SHA256, in capitals, at the head of the Authorization header
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, "Add the signature to the request")
    /// and documents no other spelling, so LocalEcr takes the stricter reading: a header naming it in lower case is no
    /// SigV4 signature, even when the rest of it (signed over the name in capitals) is right, and nothing is carried out.
    /// </summary>
    [Fact]
    public async Task An_Authorization_header_naming_the_algorithm_in_lower_case_is_refused_and_not_carried_out()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var response = await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.CreateRepository", "{\"repositoryName\":\"aa\"}"u8.ToArray(), request =>
        {
            var signed = request.Headers.GetValues("Authorization").Single();
            request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation("Authorization", "aws4-hmac-sha256" + signed["AWS4-HMAC-SHA256".Length..]);
        });

        response.AssertError("MissingAuthenticationTokenException", HttpStatusCode.Forbidden);
        Assert.Equal(0, server.Calls.Total);
        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "aa" })).EnsureOk();
    }

    /// <summary>
    /// An Authorization header naming the algorithm but lacking one of its three parts (Credential, SignedHeaders,
    /// Signature: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, "Add the signature to the
    /// request") is IncompleteSignatureException, and so is an X-Amz-Date that is not ISO 8601's basic format
    /// (YYYYMMDD'T'HHMMSS'Z'; AWS's answer: "Date must be in ISO-8601 'basic format'"), even where its first eight
    /// characters match the scope's date. Neither request is carried out.
    /// </summary>
    [Theory]
    [InlineData("Credential")]
    [InlineData("SignedHeaders")]
    [InlineData("Signature")]
    [InlineData("X-Amz-Date")]
    public async Task An_Authorization_header_missing_a_part_or_a_date_not_in_basic_format_is_IncompleteSignature(string broken)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var response = await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.CreateRepository", "{\"repositoryName\":\"aa\"}"u8.ToArray(), request =>
        {
            if (broken == "X-Amz-Date")
            {
                var date = request.Headers.GetValues("X-Amz-Date").Single();
                request.Headers.Remove("X-Amz-Date");
                request.Headers.TryAddWithoutValidation("X-Amz-Date", date[..8] + "-" + date[9..]);
                return;
            }

            var signed = request.Headers.GetValues("Authorization").Single();
            var parts = signed["AWS4-HMAC-SHA256 ".Length..].Split(", ").Where(p => !p.StartsWith(broken + "=", StringComparison.Ordinal));
            request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 " + string.Join(", ", parts));
        });

        response.AssertError("IncompleteSignatureException", HttpStatusCode.BadRequest);
        Assert.Equal(0, server.Calls.Total);
    }

    [Fact]
    public async Task An_unsigned_request_is_refused()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var http = new HttpClient();
        using var content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1");
        content.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");
        using var response = await http.PostAsync(server.BaseAddress, content);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("MissingAuthenticationTokenException", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scope_for_another_service_is_refused()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var http = new HttpClient();
        var body = "{}"u8.ToArray();
        using var request = Signed(server.BaseAddress, "DescribeRepositories", body, DateTime.UtcNow, service: "s3");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("InvalidSignatureException", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The credential scope is date/region/service/aws4_request with the date of the request's X-Amz-Date
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, "Create a string to sign"); AWS
    /// refuses a scope dated otherwise even when the signature is right over it. Signed a minute past midnight with the
    /// day before's scope, the request is within the five minutes yet refused and not carried out.
    /// </summary>
    [Fact]
    public async Task A_credential_scope_dated_otherwise_than_X_Amz_Date_is_InvalidSignature_and_not_carried_out()
    {
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 0, 1, 0, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = serverTime });
        using var http = new HttpClient();
        var body = "{\"repositoryName\":\"aa\"}"u8.ToArray();
        var at = serverTime.GetUtcNow().UtcDateTime;

        using (var dayBefore = Signed(server.BaseAddress, "CreateRepository", body, at, scopeDate: "20260101"))
        using (var refused = await http.SendAsync(dayBefore))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("InvalidSignatureException", error["__type"]!.GetValue<string>());
            Assert.Equal("Date in Credential scope does not match X-Amz-Date.", error["message"]!.GetValue<string>());
        }

        Assert.Equal(0, server.Calls.Total);
        using var sameDay = Signed(server.BaseAddress, "CreateRepository", body, at, scopeDate: "20260102");
        using var accepted = await http.SendAsync(sameDay);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    /// <summary>
    /// The credential scope ends in the literal aws4_request (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html,
    /// "Create a string to sign": date/region/service/aws4_request). A scope ending otherwise is refused even when the
    /// signature is right over the scope as sent, and the request is not carried out.
    /// </summary>
    [Theory]
    [InlineData("aws4_requesT")]
    [InlineData("aws4_request2")]
    [InlineData("aws5_request")]
    public async Task A_credential_scope_not_ending_in_aws4_request_is_refused_and_not_carried_out(string terminator)
    {
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = serverTime });
        using var http = new HttpClient();
        var body = "{\"repositoryName\":\"aa\"}"u8.ToArray();
        var at = serverTime.GetUtcNow().UtcDateTime;

        using (var wrong = Signed(server.BaseAddress, "CreateRepository", body, at, scopeTerminator: terminator))
        using (var refused = await http.SendAsync(wrong))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            // Which of the two signature errors AWS names here is not documented; LocalEcr answers IncompleteSignatureException.
            var type = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["__type"]!.GetValue<string>();
            Assert.True(type is "IncompleteSignatureException" or "InvalidSignatureException", type);
        }

        Assert.Equal(0, server.Calls.Total);
        using var right = Signed(server.BaseAddress, "CreateRepository", body, at);
        using var accepted = await http.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    /// <summary>
    /// AWS's signing guide requires X-Amz-Date among the signed headers when the request carries it
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html); a signature that is right over the
    /// other headers is refused, and the same request with the date signed is carried out.
    /// </summary>
    [Fact]
    public async Task A_request_whose_signed_headers_leave_out_X_Amz_Date_is_InvalidSignature_and_not_carried_out()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var http = new HttpClient();
        var body = "{\"repositoryName\":\"aa\"}"u8.ToArray();
        HttpRequestMessage Signed(bool signDate) => SigV4Tests.Signed(server.BaseAddress, "CreateRepository", body, DateTime.UtcNow, signDate: signDate);

        using (var unsignedDate = Signed(signDate: false))
        using (var refused = await http.SendAsync(unsignedDate))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("InvalidSignatureException", error["__type"]!.GetValue<string>());
            Assert.Equal("'X-Amz-Date' must be a signed header.", error["message"]!.GetValue<string>());
        }

        Assert.Equal(0, server.Calls.Total);
        using var signedDate = Signed(signDate: true);
        using var accepted = await http.SendAsync(signedDate);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    /// <summary>
    /// AWS's signing guide requires the host header among the signed headers
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, "Create a canonical request"): a
    /// signature that is right over the other headers is refused, and the same request with Host signed is carried out.
    /// </summary>
    [Fact]
    public async Task A_request_whose_signed_headers_leave_out_Host_is_InvalidSignature_and_not_carried_out()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var http = new HttpClient();
        var body = "{\"repositoryName\":\"aa\"}"u8.ToArray();
        HttpRequestMessage Signed(bool signHost) => SigV4Tests.Signed(server.BaseAddress, "CreateRepository", body, DateTime.UtcNow, signHost: signHost);

        using (var unsignedHost = Signed(signHost: false))
        using (var refused = await http.SendAsync(unsignedHost))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("InvalidSignatureException", error["__type"]!.GetValue<string>());
            Assert.Equal("'Host' must be a signed header.", error["message"]!.GetValue<string>());
        }

        Assert.Equal(0, server.Calls.Total);
        using var signedHost = Signed(signHost: true);
        using var accepted = await http.SendAsync(signedHost);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    /// <summary>
    /// The awsJson1_1 protocol's Content-Type is part of the request: Kinesis answered application/octet-stream with
    /// UnknownOperationException (disneystreaming/smithy4s#167). Signed either way, so only the type is wrong.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/x-amz-json-1.0")]
    [InlineData("application/octet-stream")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_request_without_the_aws_json_1_1_content_type_is_refused_and_not_carried_out(string? contentType)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var create = "{\"repositoryName\":\"typed\"}"u8.ToArray();

        (await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.CreateRepository", create, contentType: contentType)).AssertError("UnknownOperationException");
        (await client.CallAsync("DescribeRepositories", new() { ["repositoryNames"] = new JsonArray("typed") })).AssertError("RepositoryNotFoundException");

        // The same request with the protocol's type (its parameters and case do not matter) is served.
        (await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.CreateRepository", create, contentType: "Application/X-Amz-Json-1.1; charset=utf-8")).EnsureOk();
    }

    [Fact]
    public async Task An_unknown_target_is_UnknownOperation()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        (await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.DeleteEverything", "{}"u8.ToArray())).AssertError("UnknownOperationException");
        (await client.SendRawAsync("SomethingElse.DescribeRepositories", "{}"u8.ToArray())).AssertError("UnknownOperationException");
    }

    [Fact]
    public async Task Malformed_json_is_SerializationException()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        (await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{not json"u8.ToArray())).AssertError("SerializationException");
        (await client.CallAsync("DescribeRepositories", new JsonObject { ["maxResults"] = "ten" })).AssertError("SerializationException");
    }

    [Fact]
    public async Task A_request_with_a_query_string_verifies_with_the_canonical_query()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var http = new HttpClient();
        var body = "{}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "/?b=2&a=1")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");

        // The signer puts the query in sorted order; the request keeps its own order.
        var signing = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "/?a=1&b=2")) { Content = new ByteArrayContent(body) };
        signing.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        signing.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");
        TestSigner.Sign(signing, body, "us-east-1", "test", "test", DateTime.UtcNow);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", signing.Headers.GetValues("X-Amz-Date"));
        request.Headers.TryAddWithoutValidation("Authorization", signing.Headers.GetValues("Authorization"));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(-6, "Signature expired: 20260102T025805Z is now earlier than 20260102T025905Z (20260102T030405Z - 5 min.)")]
    [InlineData(6, "Signature not yet current: 20260102T031005Z is still later than 20260102T030905Z (20260102T030405Z + 5 min.)")]
    public async Task A_signature_more_than_5_minutes_from_the_server_clock_is_refused(int minutes, string message)
    {
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = serverTime });
        using var client = new EcrTestClient(server) { Clock = new FakeTimeProvider(serverTime.GetUtcNow().AddMinutes(minutes)) };

        var refused = await client.CallAsync("DescribeRepositories");

        refused.AssertError("InvalidSignatureException", HttpStatusCode.BadRequest);
        Assert.Equal(message, refused.Json["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(-4)]
    [InlineData(4)]
    [InlineData(-5)]
    [InlineData(5)]
    public async Task A_signature_within_5_minutes_of_the_server_clock_is_accepted(int minutes)
    {
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = serverTime });
        using var client = new EcrTestClient(server) { Clock = new FakeTimeProvider(serverTime.GetUtcNow().AddMinutes(minutes)) };

        (await client.CallAsync("DescribeRepositories")).EnsureOk();
    }

    /// <summary>
    /// AWS takes a time stamp within five minutes of its clock and no further, in either direction ("Signature expired:
    /// ... (now - 5 min.)", "Signature not yet current: ... (now + 5 min.)";
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html, "Time stamp errors"). The
    /// edge is exact: five minutes is accepted (above), one second more, behind or ahead, is refused and not carried out.
    /// </summary>
    [Theory]
    [InlineData(-301, "Signature expired")]
    [InlineData(301, "Signature not yet current")]
    public async Task A_signature_one_second_past_5_minutes_either_way_is_refused(int seconds, string message)
    {
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = serverTime });
        using var client = new EcrTestClient(server) { Clock = new FakeTimeProvider(serverTime.GetUtcNow().AddSeconds(seconds)) };

        var refused = await client.CallAsync("DescribeRepositories");

        refused.AssertError("InvalidSignatureException", HttpStatusCode.BadRequest);
        Assert.StartsWith(message, refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, server.Calls.Count("DescribeRepositories"));
    }

    [Theory]
    [InlineData(20)]
    [InlineData(-20)]
    public async Task Every_answer_is_dated_on_the_server_clock_and_a_refused_signature_is_counted_apart(int minutes)
    {
        // Kestrel dates answers on the real clock; a client correcting its skew must see the clock signatures are
        // checked on, as AWS's Date is.
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = serverTime });
        using var http = new HttpClient();
        var body = "{}"u8.ToArray();
        HttpRequestMessage Signed(DateTimeOffset at) => SigV4Tests.Signed(server.BaseAddress, "DescribeRepositories", body, at.UtcDateTime);

        using (var skewed = Signed(serverTime.GetUtcNow().AddMinutes(minutes)))
        using (var refused = await http.SendAsync(skewed))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("Fri, 02 Jan 2026 03:04:05 GMT", Assert.Single(refused.Headers.GetValues("Date")));
        }

        Assert.Equal(1, server.Calls.Refusals("InvalidSignatureException"));
        Assert.Equal(0, server.Calls.Count("DescribeRepositories"));

        serverTime.Advance(TimeSpan.FromSeconds(1));
        using var inTime = Signed(serverTime.GetUtcNow());
        using var accepted = await http.SendAsync(inTime);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("Fri, 02 Jan 2026 03:04:06 GMT", Assert.Single(accepted.Headers.GetValues("Date")));
        Assert.Equal(1, server.Calls.Count("DescribeRepositories"));
        Assert.Equal(1, server.Calls.Refusals("InvalidSignatureException"));
    }

    [Fact]
    public async Task A_request_signed_in_time_is_refused_once_the_server_clock_passes_5_minutes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = time });
        using var http = new HttpClient();
        var body = "{}"u8.ToArray();
        HttpRequestMessage Signed() => SigV4Tests.Signed(server.BaseAddress, "DescribeRepositories", body, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));

        using (var first = Signed())
        using (var accepted = await http.SendAsync(first))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        // The same signed request replayed later: AWS's replay protection refuses it.
        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        using var replay = Signed();
        using var refused = await http.SendAsync(replay);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Signature expired", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A POST of one ECR operation, signed with the test keys in us-east-1 at <paramref name="at"/>.</summary>
    private static HttpRequestMessage Signed(Uri endpoint, string operation, byte[] body, DateTime at, string service = "ecr", bool signDate = true, string? scopeDate = null, string scopeTerminator = "aws4_request", bool signHost = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921." + operation);
        TestSigner.Sign(request, body, "us-east-1", "test", "test", at, service: service, signDate: signDate, scopeDate: scopeDate, scopeTerminator: scopeTerminator, signHost: signHost);
        return request;
    }
}
