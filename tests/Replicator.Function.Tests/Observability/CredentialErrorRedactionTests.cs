using Moq;
using Replicator.Core.Destinations;
using Replicator.Core.Errors;
using Replicator.Function.Observability;

namespace Replicator.Function.Tests.Observability;

/// <summary>
/// The errors of a malformed credentials parameter name its fields (AccessKeyId, SecretAccessKey, SessionToken), the
/// very names the redactor hides a value after. Their text must pass through it whole, or the log line and the
/// dead-letter reason tell the operator "[redacted]" where they should say what to fix.
/// </summary>
public sealed class CredentialErrorRedactionTests
{
    private const string Parameter = "/ecr-replicator/cn-north-1";

    [Theory]
    [InlineData("not json")]
    [InlineData("[1]")]
    [InlineData("{\"SecretAccessKey\":\"s\"}")]
    [InlineData("{\"AccessKeyId\":\"AKIA\"}")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":42}")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"\\ud800\"}")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"s\",\"SessionToken\":\"t\"}")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"s\",\"RoleArn\":\"arn:aws:iam::444444444444:role/x\"}")]
    public async Task A_malformed_parameter_s_error_passes_the_redactor_unchanged(string value)
    {
        var store = new Mock<ISecureParameterStore>(MockBehavior.Strict);
        store.Setup(s => s.GetSecureStringAsync(Parameter, It.IsAny<CancellationToken>())).ReturnsAsync(value);
        var source = new SsmCredentialsSource(store.Object, Mock.Of<ISecurityTokenService>(MockBehavior.Strict), Parameter, "cn-north-1");

        var error = await Assert.ThrowsAsync<ReplicationException>(() => source.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, error.ErrorCode);
        Assert.Equal(error.Message, Redactor.Redact(error.Message));
    }
}
