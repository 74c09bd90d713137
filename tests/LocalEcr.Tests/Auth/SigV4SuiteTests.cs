using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LocalEcr.Auth;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace LocalEcr.Tests.Auth;

/// <summary>LocalEcr's verifier against the official SigV4 vectors: every correct signer must pass.</summary>
public sealed class SigV4SuiteTests
{
    private static readonly string SuiteDirectory = Path.Combine(AppContext.BaseDirectory, "Auth", "SigV4Suite");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(SuiteDirectory).Order(StringComparer.Ordinal))
        {
            var context = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "context.json")))!;

            // Unnormalised paths are S3's rule; ECR, like every other service, normalises.
            if (context["normalize"]!.GetValue<bool>())
            {
                data.Add(Path.GetFileName(directory));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accepts_the_signed_request(string name)
    {
        var (verifier, request, region) = Load(name);
        var outcome = verifier.Verify(request.Method, request.Path, request.Query, request.Headers, request.BodyHash);
        Assert.True(outcome.Valid, $"{name}: {outcome.ErrorCode} {outcome.ErrorMessage}");
        Assert.Equal(region, outcome.Region);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refuses_the_request_once_its_path_changes(string name)
    {
        var (verifier, request, _) = Load(name);
        var outcome = verifier.Verify(request.Method, request.Path + "x", request.Query, request.Headers, request.BodyHash);
        Assert.Equal("InvalidSignatureException", outcome.ErrorCode);
    }

    // The signature is lower-case hex (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html,
    // "Calculate the signature"): the vector's own signature in upper case no longer matches.
    [Theory]
    [MemberData(nameof(Cases))]
    public void Refuses_the_request_once_its_signature_is_in_upper_case(string name)
    {
        var (verifier, request, _) = Load(name);
        var headers = request.Headers
            .Select(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ? KeyValuePair.Create(h.Key, new StringValues(UpperCaseSignature(h.Value.ToString()))) : h)
            .ToList();
        var outcome = verifier.Verify(request.Method, request.Path, request.Query, headers, request.BodyHash);
        Assert.Equal("InvalidSignatureException", outcome.ErrorCode);

        static string UpperCaseSignature(string authorization)
        {
            var at = authorization.LastIndexOf("Signature=", StringComparison.Ordinal) + "Signature=".Length;
            var upper = authorization[..at] + authorization[at..].ToUpperInvariant();
            Assert.NotEqual(authorization, upper);
            return upper;
        }
    }

    private static (SigV4Verifier Verifier, RawRequest Request, string Region) Load(string name)
    {
        var directory = Path.Combine(SuiteDirectory, name);
        var context = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "context.json")))!;
        // The vectors were signed at the context's timestamp: the verifier's clock reads that instant.
        var signedAt = DateTimeOffset.Parse(context["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var verifier = new SigV4Verifier(
            context["credentials"]!["access_key_id"]!.GetValue<string>(),
            context["credentials"]!["secret_access_key"]!.GetValue<string>(),
            new FakeTimeProvider(signedAt),
            context["service"]!.GetValue<string>());
        return (verifier, RawRequest.Parse(File.ReadAllText(Path.Combine(directory, "header-signed-request.txt"))), context["region"]!.GetValue<string>());
    }

    private sealed record RawRequest(string Method, string Path, string Query, List<KeyValuePair<string, StringValues>> Headers, string BodyHash)
    {
        public static RawRequest Parse(string text)
        {
            var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            var requestLine = lines[0];
            var target = requestLine[(requestLine.IndexOf(' ', StringComparison.Ordinal) + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
            var query = target.Contains('?', StringComparison.Ordinal) ? target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..] : string.Empty;
            var path = target.Contains('?', StringComparison.Ordinal) ? target[..target.IndexOf('?', StringComparison.Ordinal)] : target;
            var headers = new List<(string Name, string Value)>();
            var i = 1;
            for (; i < lines.Length && lines[i].Length > 0; i++)
            {
                if (char.IsWhiteSpace(lines[i][0]))
                {
                    // An obsolete folded continuation line: unfold with a space.
                    headers[^1] = (headers[^1].Name, headers[^1].Value + " " + lines[i].Trim());
                    continue;
                }

                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                headers.Add((lines[i][..colon], lines[i][(colon + 1)..]));
            }

            var body = string.Join('\n', lines.Skip(i + 1));
            var grouped = headers
                .GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase)
                .Select(g => KeyValuePair.Create(g.Key, new StringValues([.. g.Select(h => h.Value)])))
                .ToList();
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
            return new RawRequest(requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)], path, query, grouped, hash);
        }
    }
}
