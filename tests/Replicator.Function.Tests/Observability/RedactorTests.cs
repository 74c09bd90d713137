using Replicator.Function.Observability;

namespace Replicator.Function.Tests.Observability;

public class RedactorTests
{
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
    public void Secrets_are_masked(string text, string secret)
    {
        var redacted = Redactor.Redact(text);
        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains(Redactor.Mask, redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("copied sha256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1 to us-west-2")]
    [InlineData("repository team-a/api tag v1.0.0 message 7e9846d8-6051-5c1f-bd30-7322c149866c")]
    [InlineData("https://api.ecr.us-west-2.amazonaws.com/ answered ThrottlingException")]
    public void Ordinary_text_is_kept(string text)
    {
        Assert.Equal(text, Redactor.Redact(text));
    }
}
