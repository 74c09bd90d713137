using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Signing;

/// <summary>
/// Every header-signing case of the official SigV4 suite (awslabs/aws-c-auth, Apache 2.0, see
/// SigV4TestSuite/LICENSE): canonical request, string to sign and signature must match byte for byte.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.GetDirectories(SigV4TestCase.SuiteDirectory).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(folder, "header-signature.txt")))
            {
                data.Add(Path.GetFileName(folder));
            }
        }

        return data;
    }

    [Fact]
    public void Suite_is_copied_to_the_output_with_its_license()
    {
        Assert.True(File.Exists(Path.Combine(SigV4TestCase.SuiteDirectory, "LICENSE")));
        Assert.True(File.Exists(Path.Combine(SigV4TestCase.SuiteDirectory, "README.md")));
        Assert.Equal(38, Cases().Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Canonical_request_matches(string name)
    {
        var test = SigV4TestCase.Load(name);
        var signature = Sign(test);
        Assert.Equal(test.Expected("header-canonical-request.txt"), signature.CanonicalRequest);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void String_to_sign_matches(string name)
    {
        var test = SigV4TestCase.Load(name);
        Assert.Equal(test.Expected("header-string-to-sign.txt"), Sign(test).StringToSign);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Signature_and_authorization_header_match(string name)
    {
        var test = SigV4TestCase.Load(name);
        var signature = Sign(test);
        Assert.Equal(test.Expected("header-signature.txt").Trim(), signature.Signature);

        var signedRequest = test.Expected("header-signed-request.txt");
        Assert.Contains("Authorization:" + signature.Authorization + "\n", signedRequest, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_token_is_added_unsigned_when_the_case_says_so()
    {
        var test = SigV4TestCase.Load("post-sts-header-after");
        var signature = Sign(test);
        Assert.Contains(signature.Headers, h => h.Key == "X-Amz-Security-Token" && h.Value == test.Credentials.SessionToken);
        Assert.DoesNotContain("x-amz-security-token", signature.Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void Instance_signer_reads_the_injected_clock()
    {
        var test = SigV4TestCase.Load("get-vanilla");
        var signer = new SigV4Signer(new FakeTimeProvider(test.Timestamp));
        Assert.Equal(test.Expected("header-signature.txt").Trim(), signer.Sign(test.Request, test.Credentials, test.Region, test.Service, test.Options).Signature);
    }

    private static SigV4Signature Sign(SigV4TestCase test) =>
        SigV4Signer.Sign(test.Request, test.Credentials, test.Region, test.Service, test.Timestamp, test.Options);
}
