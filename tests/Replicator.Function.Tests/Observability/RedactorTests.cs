using Replicator.Function.Observability;

namespace Replicator.Function.Tests.Observability;

public class RedactorTests
{
    /// <summary>
    /// ErrorText.Quote cuts a dependency's message before the function redacts it: a secret key the cut went through
    /// must not survive as a fragment too short for any pattern. The cut word goes whole, so the quote is exactly the
    /// text before it: any fragment, however short (1 character at 299), would show.
    /// </summary>
    [Theory]
    [InlineData(262)]
    [InlineData(270)]
    [InlineData(279)]
    [InlineData(299)]
    public void A_secret_the_quote_cut_goes_through_leaves_no_fragment(int at)
    {
        const string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        var message = new string('a', at - 1) + " " + secret + " and the rest of the message";

        var quoted = Redactor.Redact(Replicator.Core.Errors.ErrorText.Quote(message));

        Assert.Equal(new string('a', at - 1) + "...", quoted);
    }

    [Theory]
    [InlineData("GET https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/abc/layer?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0a1b2c failed", "X-Amz-Security-Token=IQo")]
    [InlineData("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE/20261128/us-east-1/s3/aws4_request", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("x-amz-signature: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "9f86d081884c7d659a2feaa0c55ad015")]
    [InlineData("Authorization: AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/x, SignedHeaders=host, Signature=abc", "ASIAIOSFODNN7EXAMPLE")]
    [InlineData("callback?token=s3cr3t-value&x=1", "s3cr3t-value")]
    [InlineData("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI")]
    [InlineData("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked", "wJalrXUtnFEMI")]
    [InlineData("{\"sessionToken\":\"FwoGZXIvYXdzEBYaDHqa0AP\"}", "FwoGZXIvYXdzEBYaDHqa0AP")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "eyJhbGciOiJIUzI1NiJ9")]
    [InlineData("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA")]
    [InlineData("authorization: Bearer abcdef123456", "abcdef123456")]
    [InlineData("{\"Authorization\":\"Bearer abcdef123456\"}", "abcdef123456")]
    [InlineData("{\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}", "wJalrXUtnFEMI")]
    [InlineData("{\"AccessKeyId\":\"ASIAIOSFODNN7EXAMPLE\",\"SessionToken\":\"IQoJb3JpZ2luX2VjEJr\"}", "IQoJb3JpZ2luX2VjEJr")]
    [InlineData("aws_session_token = IQoJb3JpZ2luX2VjEJr", "IQoJb3JpZ2luX2VjEJr")]
    [InlineData("X-Amz-Security-Token: FwoGZXIvYXdzEBYaDHqa0AP", "FwoGZXIvYXdzEBYaDHqa0AP")]
    [InlineData("client_secret=s3cr3t-value", "s3cr3t-value")]
    [InlineData("password: hunter2", "hunter2")]
    [InlineData("key C3J27XDCG2LmlZGEONYlgCtjfIZ4SOcMz9CPVNPk leaked", "C3J27XDCG2LmlZGEONYl")]
    [InlineData("key QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUiOpAsDf leaked", "QwErTyUiOpAsDfGhJkLz")]
    [InlineData("credentials expired: pU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9cfCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4p", "pU3KGCUwux1tEyze1iN7")]
    [InlineData("https://prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com/6a2b-111111111111-c0ffee/layer?X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F20261201&X-Amz-Signature=0a1b2c3d", "0a1b2c3d")]
    [InlineData("{\"authorizationToken\":\"QVdTOmV5SndZWGxzYjJGa0lqb2lkR1Z6ZENKOQ\"}", "QVdTOmV5SndZWGxzYjJGa0lqb2lkR1Z6ZENKOQ")]
    [InlineData("{\"SecretString\":\"hunter2hunter2\"}", "hunter2hunter2")]
    [InlineData("secretToken=abcdef", "abcdef")]
    [InlineData("github_token=ghp_abcdef0123", "ghp_abcdef0123")]
    [InlineData("Proxy-Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz")]
    [InlineData("headers=Authorization: Bearer opaqueToken123", "opaqueToken123")]
    [InlineData("redirect to https%3A%2F%2Fbucket.s3.amazonaws.com%2Flayer%3FX-Amz-Security-Token%3DIQoJb3JpZ2luX2VjEJr%252Fabc%26X-Amz-Signature%3D0a1b2c3d4e failed", "IQoJb3JpZ2luX2VjEJr")]
    [InlineData("redirect to https%3A%2F%2Fbucket.s3.amazonaws.com%2Flayer%3FX-Amz-Date%3D20261201%26X-Amz-Signature%3D0a1b2c3d4e failed", "0a1b2c3d4e")]
    [InlineData("X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F%2FtokenTail%3D%3D&X-Amz-Date=20261201", "tokenTail")]
    [InlineData("{'SecretAccessKey': 'hunter2hunter2', 'region': 'us-east-1'}", "hunter2hunter2")]
    [InlineData("{\\u0022Id\\u0022:\\u0022AKIAIOSFODNN7EXAMPLE\\u0022}", "AKIAIOSFODNN7EXAMPLE")]
    // An Authorization header of any scheme (audit, 2026-12-04): a SigV2 "AWS KEY:SIGNATURE", a GitHub "token" scheme.
    [InlineData("Authorization: AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", "frJIUN8DYpKDtOLCwo")]
    [InlineData("Authorization: token ghp_abcdef123456", "ghp_abcdef123456")]
    // An access key id after '_' or a percent-encoded delimiter, and one of another shape under its own name.
    [InlineData("body %7B%22AccessKeyId%22%3A%22AKIAIOSFODNN7EXAMPLE%22%7D", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("user_AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("AccessKeyId=AKIA1234", "AKIA1234")]
    // A JSON document inside a JSON string value: masked to the value's end, not to its first escaped quote.
    [InlineData("{\"SecretString\":\"{\\\"k\\\":\\\"inner-value\\\"}\"}", "inner-value")]
    // ... and inside a JSON string that is itself escaped; a Digest header's quoted parameters (RFC 9110, section 11.4).
    [InlineData("body {\\\"SecretString\\\":\\\"{\\\\\\\"k\\\\\\\":\\\\\\\"inner-value\\\\\\\"}\\\"}", "inner-value")]
    [InlineData("Authorization: Digest username=\"bob\", realm=\"r\", nonce=\"n1\", response=\"6629fae49393a05397450978507c4ef1\"", "6629fae49393a05397450978507c4ef1")]
    public void Secrets_are_masked(string text, string secret)
    {
        var redacted = Redactor.Redact(text);
        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains(Redactor.Mask, redacted, StringComparison.Ordinal);
    }

    /// <summary>
    /// Forms the patterns missed before (audit): a value quoted after '=' or ':', a JSON value with a space, a JSON
    /// document inside a JSON string (an SSM parameter's value in GetParameter's answer), XML elements (STS's query API),
    /// a key after a JSON-escaped or twice percent-encoded '&amp;', and a key or token whose '/' or '+' a JSON writer
    /// escaped (System.Text.Json writes '+' as \u002B), which split the run into pieces too short to be masked.
    /// </summary>
    [Theory]
    [InlineData("secretAccessKey='hunter2SECRETPART'")]
    [InlineData("X-Amz-Security-Token=\"IQoJSECRETPART\"")]
    [InlineData("export AWS_SESSION_TOKEN=\"IQoJSECRETPART\"")]
    [InlineData("password: \"hunter2 SECRETPART\"")]
    [InlineData("{\"password\": \"hunter2 SECRETPART\"}")]
    [InlineData("{\\\"AccessKeyId\\\":\\\"AKIDEXAMPLE\\\",\\\"SecretAccessKey\\\":\\\"hunter2SECRETPART\\\"}")]
    [InlineData("<SecretAccessKey>hunter2SECRETPART</SecretAccessKey>")]
    [InlineData("<Credentials><SessionToken>IQoJSECRETPART</SessionToken></Credentials>")]
    [InlineData("bucket.s3.amazonaws.com/layer?X-Amz-Date=20260101\\u0026X-Amz-Security-Token=IQoJSECRETPART\\u0026X-Amz-Signature=0a1b")]
    [InlineData("u%3Dhttps%253A%252F%252Fbucket%252Flayer%253FX-Amz-Date%253D1%2526X-Amz-Security-Token%253DIQoJSECRETPART%2526X-Amz-Signature%253D0a1b")]
    [InlineData("key wJalrXUtnFEMI\\/K7MDENG\\/bPxRfiSECRETPARTYZ leaked")]
    [InlineData("key wJalrXUtnFEMI\\u002BK7MDENG\\u002BbPxRfiSECRETPARTYZ leaked")]
    [InlineData("token IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQ%2BSECRETPARTx%3D%3D leaked")]
    // After a quote a JSON writer escaped (System.Text.Json writes '"' as \u0022) or a line break (\n): the escape's
    // last character joined the secret as one word, so neither the key-id nor the 40-character pattern saw its start.
    [InlineData("{\\u0022AccessKeyId\\u0022:\\u0022AKIAIOSFODNN7EXAMPLE\\u0022,\\u0022SecretAccessKey\\u0022:\\u0022wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETPART12\\u0022}")]
    [InlineData("{\"Value\":\"AKIAIOSFODNN7EXAMPLE\\nwJalrXUtnFEMIK7MDENGbPxRfiCYSECRETPART12\"}")]
    // A password in a URL's user information (a proxy from HTTPS_PROXY named in a connection error).
    [InlineData("The proxy tunnel request to proxy 'http://ops:hunter2SECRETPART@proxy.internal:3128/' failed with status code '407'.")]
    [InlineData("Connection refused (proxy.internal:3128) via https://svc-user:p%40ssSECRETPART@proxy.internal")]
    [InlineData("{\\u0022password\\u0022:\\u0022hunter2 SECRETPART\\u0022}")]
    // A shell-quoted pair inside a JSON string, whose quote System.Text.Json's default encoder writes as \u0027.
    [InlineData("{\"command\":\"login \\u0027password=hunter2SECRETPART\\u0027\"}")]
    // A quoted value with a space: masked to its closing quote, not to the space.
    [InlineData("password='hunter2 SECRETPART'")]
    public void Secrets_in_forms_missed_before_are_masked(string text) => AssertMasked(text);

    [Theory]
    [InlineData("copied sha256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1 to us-west-2")]
    [InlineData("repository team-a/api tag v1.0.0 message 7e9846d8-6051-5c1f-bd30-7322c149866c")]
    [InlineData("https://api.ecr.us-west-2.amazonaws.com/ answered ThrottlingException")]
    [InlineData("could not read SSM parameter /replicator/cn-north-1-secret: ThrottlingException: Rate exceeded")]
    [InlineData("could not assume role arn:aws:iam::222222222222:role/writer: ExpiredToken: The security token included in the request is expired")]
    [InlineData("ExpiredTokenException: The security token included in the request is expired")]
    [InlineData("InvalidSignatureException: Signature expired: 20261201T120000Z is now earlier than 20261201T120500Z")]
    [InlineData("Basic configuration: the destination repository is created with scanOnPush off")]
    [InlineData("Bearer of bad news: the token bucket is empty")]
    [InlineData("see https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html#registry-auth-token for the login")]
    [InlineData("proxy https://ops@proxy.internal:3128/ and https://api.ecr.us-west-2.amazonaws.com:443/v1@latest answered")]
    [InlineData("pulled 111111111111.dkr.ecr.us-east-1.amazonaws.com/team/api@sha256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1")]
    [InlineData("replicated team-a/api:ReleaseCandidate20261201BuildNumber12345abc to eu-west-1")]
    [InlineData("tag MyServiceApiGatewayIntegrationReleaseBuild2026 is immutable")]
    [InlineData("copied team-a/api:v1 -> us-west-2, token-bucket->empty")]
    [InlineData("<Error><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error>")]
    [InlineData("repository team-a%2Fapi%2Fservice%2Fcomponent%2Fbuild-cache-layer-store not found")]
    [InlineData("{\\u0022repository\\u0022:\\u0022team-a/api\\u0022,\\u0022tag\\u0022:\\u0022v1\\u0022}\\nnext line")]
    public void Ordinary_text_is_kept(string text)
    {
        Assert.Equal(text, Redactor.Redact(text));
    }

    /// <summary>
    /// An Authorization header's credentials are masked, scheme and all, and the text after them is kept: the mask
    /// follows the credentials' grammar (RFC 9110, section 11.4), not the rest of the line.
    /// </summary>
    [Theory]
    [InlineData(
        "registry answered 401; Authorization: Bearer abc.def; repository app/web, digest sha256:0123 not copied",
        "registry answered 401; Authorization: [redacted]; repository app/web, digest sha256:0123 not copied")]
    [InlineData(
        "{\"Authorization\":\"Basic dXNlcjpwYXNz\",\"repository\":\"app/web\"}",
        "{\"Authorization\":\"[redacted]\",\"repository\":\"app/web\"}")]
    public void The_text_after_an_authorization_header_is_kept(string text, string expected) =>
        Assert.Equal(expected, Redactor.Redact(text));

    [Fact]
    public void A_long_text_keeps_its_readable_start_instead_of_timing_out_into_the_mask()
    {
        var text = "ThrottlingException: Rate exceeded " + new string('a', 1_000_000);

        var redacted = Redactor.Redact(text);

        Assert.StartsWith("ThrottlingException: Rate exceeded ", redacted, StringComparison.Ordinal);
        Assert.EndsWith($"... ({text.Length} characters in all)", redacted, StringComparison.Ordinal);
        Assert.True(redacted.Length < Redactor.MaxScannedLength + 100);
    }

    [Fact]
    public void A_secret_cut_by_the_length_bound_is_dropped_whole_not_printed_in_part()
    {
        const string key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        var prefix = string.Concat(Enumerable.Repeat("word ", (Redactor.MaxScannedLength - 20) / 5));
        var text = prefix + key + " tail";

        var redacted = Redactor.Redact(text);

        Assert.StartsWith(prefix.TrimEnd(), redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("wJalrXUtnFEMI", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("EXAMPLEKEY", redacted, StringComparison.Ordinal);
    }

    /// <summary>
    /// A text past the bound with no whitespace before it (a compact JSON body, a long presigned URL) is one word the
    /// cut goes through: it is left out whole, so no part of whatever it carries is printed, and the note still says
    /// how long it was. The cut walks back to the start of the text and stops there.
    /// </summary>
    [Fact]
    public void A_single_word_longer_than_the_bound_is_left_out_whole()
    {
        var text = "https://bucket.s3.amazonaws.com/layer?X-Amz-Security-Token=" + new string('A', Redactor.MaxScannedLength) + " tail";

        Assert.Equal($"... ({text.Length} characters in all)", Redactor.Redact(text));
    }

    /// <summary>
    /// A text of exactly <see cref="Redactor.MaxScannedLength"/> characters is within the bound: scanned whole and
    /// returned as it came, with no "characters in all" note. (The cut looks at the character at the bound, which such
    /// a text does not have.)
    /// </summary>
    [Fact]
    public void A_text_of_exactly_the_scanned_length_is_scanned_whole()
    {
        var text = string.Concat(Enumerable.Repeat("word ", Redactor.MaxScannedLength / 5)) + new string('x', Redactor.MaxScannedLength % 5);
        Assert.Equal(Redactor.MaxScannedLength, text.Length);

        Assert.Equal(text, Redactor.Redact(text));
    }

    /// <summary>
    /// An image tag is at most <see cref="Replicator.Core.Validation.EcrNames.MaxTagLength"/> characters (ECR's limit,
    /// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageIdentifier.html), and a tag of letters and digits
    /// of that length, in mixed case, is something a tag could be: it stays readable. Only a longer run (no tag) or one
    /// of exactly a secret key's 40 characters is masked.
    /// </summary>
    [Fact]
    public void A_mixed_case_tag_of_the_longest_length_ecr_allows_stays_readable()
    {
        var tag = string.Concat(Enumerable.Repeat("ReleaseCandidate", 18)) + "Build1234567";
        Assert.Equal(Replicator.Core.Validation.EcrNames.MaxTagLength, tag.Length);

        Assert.Equal($"tag {tag} pushed", Redactor.Redact($"tag {tag} pushed"));
        Assert.Equal($"tag {Redactor.Mask} pushed", Redactor.Redact($"tag {tag}X pushed"));
    }

    /// <summary>
    /// The "key: value" form (a header dump, a YAML or INI line, an error that quotes a setting) is masked only by the
    /// list of whole secret names: the any-name pattern takes '=' alone, since an error code is followed by ':' and its
    /// text. A name of each shape the list knows is tried here, so none can drop out of it unnoticed.
    /// </summary>
    [Theory]
    [InlineData("passwd: s3cr3t-SECRETPART")]
    [InlineData("password: s3cr3t-SECRETPART")]
    [InlineData("app_secret: s3cr3t-SECRETPART")]
    [InlineData("api-secret: s3cr3t-SECRETPART")]
    [InlineData("client_secret_key: s3cr3t-SECRETPART")]
    [InlineData("aws_secret_access_key: s3cr3t-SECRETPART")]
    [InlineData("csrf_token: s3cr3t-SECRETPART")]
    [InlineData("oauth_token: s3cr3t-SECRETPART")]
    [InlineData("bearer-token: s3cr3t-SECRETPART")]
    [InlineData("refresh_token: s3cr3t-SECRETPART")]
    [InlineData("id_token: s3cr3t-SECRETPART")]
    [InlineData("auth-token: s3cr3t-SECRETPART")]
    [InlineData("api_token: s3cr3t-SECRETPART")]
    [InlineData("access_token: s3cr3t-SECRETPART")]
    [InlineData("aws_session_token: s3cr3t-SECRETPART")]
    [InlineData("aws_access_key_id: AKIDSECRETPART")]
    [InlineData("access-key-id: AKIDSECRETPART")]
    public void Every_secret_name_is_masked_in_the_key_colon_value_form(string text)
    {
        var redacted = Redactor.Redact(text);

        Assert.DoesNotContain("SECRETPART", redacted, StringComparison.Ordinal);
        Assert.EndsWith(": " + Redactor.Mask, redacted, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every documented IAM unique-id prefix of an access key id is masked wherever the id stands, without a key name
    /// before it: ASIA above all, the prefix of every temporary key the function itself runs with.
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids)
    /// </summary>
    [Theory]
    [InlineData("AKIA")]
    [InlineData("ASIA")]
    [InlineData("AIDA")]
    [InlineData("AROA")]
    [InlineData("ABIA")]
    [InlineData("ACCA")]
    [InlineData("AGPA")]
    [InlineData("ANPA")]
    [InlineData("ANVA")]
    [InlineData("APKA")]
    [InlineData("ASCA")]
    [InlineData("AIPA")]
    public void An_access_key_id_of_every_documented_prefix_is_masked_without_a_key_name(string prefix)
    {
        var id = prefix + "IOSFODNN7EXAMPLE";

        Assert.Equal($"the request signed with {Redactor.Mask} was refused", Redactor.Redact($"the request signed with {id} was refused"));
    }

    /// <summary>
    /// A URL's whole query goes, whatever its parameters are named: a presigned URL of another signer (or one whose
    /// signature parameter this list does not know) carries what it needs to be fetched there, and no query is needed in a log.
    /// </summary>
    [Fact]
    public void A_url_query_of_parameters_no_pattern_names_is_masked_whole()
    {
        Assert.Equal(
            "GET https://bucket.s3.us-east-1.amazonaws.com/layer?[redacted] failed",
            Redactor.Redact("GET https://bucket.s3.us-east-1.amazonaws.com/layer?X-Amz-Date=20261201T000000Z&X-Amz-Expires=900&sig=opaque123 failed"));
    }

    /// <summary>
    /// Any key whose name holds "token", "secret" or "passw" is masked in the key=value and JSON forms, whatever else
    /// the name holds: a database password, a CI job token, a client secret named by an application of its own.
    /// </summary>
    [Theory]
    [InlineData("db_password=s3cr3t-SECRETPART")]
    [InlineData("{\"MasterUserPassword\":\"s3cr3t-SECRETPART\"}")]
    [InlineData("ci_job_token=s3cr3t-SECRETPART")]
    [InlineData("{\"ClientSecretValue\":\"s3cr3t-SECRETPART\"}")]
    public void A_key_whose_name_holds_a_secret_word_is_masked(string text) => AssertMasked(text);

    /// <summary>
    /// A masked value ends at the next pair's separator, in each of its encodings: the query parameter after a token
    /// stays readable, twice percent-encoded (a presigned URL inside a URL inside a URL's query) included.
    /// </summary>
    [Theory]
    [InlineData("X-Amz-Security-Token%3DIQoJb3JpZ2luSECRET%26X-Amz-Date%3D20261201T000000Z", "X-Amz-Security-Token%3D[redacted]%26X-Amz-Date%3D20261201T000000Z")]
    [InlineData("X-Amz-Security-Token%253DIQoJb3JpZ2luSECRET%2526X-Amz-Date%253D20261201T000000Z", "X-Amz-Security-Token%253D[redacted]%2526X-Amz-Date%253D20261201T000000Z")]
    [InlineData("X-Amz-Security-Token=IQoJb3JpZ2luSECRET\\u0026X-Amz-Date=20261201T000000Z", "X-Amz-Security-Token=[redacted]\\u0026X-Amz-Date=20261201T000000Z")]
    public void The_parameter_after_a_masked_value_is_kept(string text, string expected) =>
        Assert.Equal(expected, Redactor.Redact(text));

    /// <summary>
    /// A 40-character run of one case only is a hex digest (a git commit id, a common image tag), never a secret access
    /// key, which mixes both: it stays readable though it has a secret key's length.
    /// </summary>
    [Theory]
    [InlineData("built from commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b of main")]
    [InlineData("built from commit 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B of main")]
    public void A_single_case_run_of_a_secret_key_s_length_is_kept(string text) =>
        Assert.Equal(text, Redactor.Redact(text));

    /// <summary>
    /// When the character at the bound is a space, the text before it ends a whole word: it is kept whole, and only a
    /// word the cut goes through is dropped.
    /// </summary>
    [Fact]
    public void A_word_that_ends_right_at_the_length_bound_is_kept()
    {
        var text = string.Concat(Enumerable.Repeat("word ", (Redactor.MaxScannedLength - 2) / 5)) + "ab tail";
        Assert.Equal(' ', text[Redactor.MaxScannedLength]);

        Assert.Equal($"{text[..Redactor.MaxScannedLength]}... ({text.Length} characters in all)", Redactor.Redact(text));
    }

    /// <summary>The secret (the text's SECRETPART) is gone from the redacted text, and the mask stands in its place.</summary>
    private static void AssertMasked(string text)
    {
        var redacted = Redactor.Redact(text);
        Assert.DoesNotContain("SECRETPART", redacted, StringComparison.Ordinal);
        Assert.Contains(Redactor.Mask, redacted, StringComparison.Ordinal);
    }
}
