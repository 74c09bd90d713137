using Replicator.Cli.Output;

namespace Replicator.Cli.Tests.Output;

public sealed class ErrorTextTests
{
    [Fact]
    public void The_credential_chain_failure_becomes_one_actionable_line_that_keeps_each_providers_reason()
    {
        // AWSSDK.Core's wording: a heading, an empty line, then one "Exception i of n: message" line per provider.
        var sdk = string.Join(
            Environment.NewLine,
            "Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:",
            string.Empty,
            "Exception 1 of 3: The environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN were not set with AWS credentials.",
            "Exception 2 of 3: Unable to find the \"ops\" profile.",
            "Exception 3 of 3: Failed to connect to EC2 instance metadata to retrieve credentials: timed out.",
            string.Empty);

        var line = ErrorText.OneLine(sdk);

        Assert.StartsWith(ErrorText.NoCredentials, line, StringComparison.Ordinal);
        Assert.Contains("were not set with AWS credentials; Unable to find the \"ops\" profile; Failed", line, StringComparison.Ordinal);
        Assert.EndsWith("Failed to connect to EC2 instance metadata to retrieve credentials: timed out)", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
    }

    /// <summary>
    /// AWSSDK.Core's web identity provider fails with a path complaint even when AWS_WEB_IDENTITY_TOKEN_FILE is not set:
    /// that reason names a setting the user never made, so it is left out then, and kept when the variable is set.
    /// </summary>
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("token", true)]
    public void The_web_identity_reason_is_kept_only_when_its_variable_is_set(string? tokenFile, bool kept)
    {
        const string WebIdentity = "The webIdentityTokenFile must be an absolute path. (Parameter 'webIdentityTokenFile')";
        var sdk = string.Join(
            Environment.NewLine,
            "Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:",
            string.Empty,
            "Exception 1 of 2: " + WebIdentity,
            "Exception 2 of 2: Unable to find the \"default\" profile.");

        var line = ErrorText.OneLine(sdk, name => name == "AWS_WEB_IDENTITY_TOKEN_FILE" ? tokenFile : null);

        Assert.Equal(kept, line.Contains(WebIdentity, StringComparison.Ordinal));
        Assert.EndsWith("Unable to find the \"default\" profile)", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// AWSSDK.Core's chain calls an SSO profile with no cached token a type of profile "not allowed here" and advises
    /// another type; the profile is supported once its user has signed in, which is what the line says instead.
    /// </summary>
    [Fact]
    public void An_SSO_profile_the_chain_refuses_for_want_of_a_token_is_advice_to_sign_in()
    {
        var sdk = string.Join(
            Environment.NewLine,
            "Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:",
            string.Empty,
            "Exception 1 of 2: The profile [corp-admin] is an SSO profile.  This type of profile is not allowed here.  Please use a different type of profile.",
            "Exception 2 of 2: Failed to connect to EC2 instance metadata to retrieve credentials: Unable to retrieve credentials..");

        var line = ErrorText.OneLine(sdk, _ => null);

        Assert.Contains("the profile \"corp-admin\" signs in with IAM Identity Center (SSO) and holds no valid token; sign in with aws sso login --profile corp-admin, then run this command again", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not allowed here", line, StringComparison.Ordinal);
        Assert.DoesNotContain("different type of profile", line, StringComparison.Ordinal);

        // The console redacts every error line: the advice must come through it whole.
        Assert.Contains("sign in with aws sso login --profile corp-admin, then run", Replicator.Function.Observability.Redactor.Redact(line), StringComparison.Ordinal);
    }

    [Fact]
    public void A_credential_chain_failure_without_reasons_is_the_advice_alone_and_a_long_reason_is_cut()
    {
        Assert.Equal(ErrorText.NoCredentials, ErrorText.OneLine("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:\n\n"));

        // Cut between words: a token the cut would split is left out whole, not halved past the console's redaction.
        var words = string.Concat(Enumerable.Repeat("word ", (ErrorText.MaxReasonLength / 5) - 2));
        var line = ErrorText.OneLine("Failed to resolve AWS credentials.\nException 1 of 1: " + words + new string('x', 500));
        Assert.EndsWith($": {words.TrimEnd()}...)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("x", line[ErrorText.NoCredentials.Length..], StringComparison.Ordinal);
    }

    [Fact]
    public void A_profile_without_usable_credentials_keeps_the_message_that_names_it()
    {
        var message = "Failed to resolve AWS credentials from the config profile (ops): it holds no keys, role, process or SSO settings the AWS SDK can use";

        Assert.Equal(message, ErrorText.OneLine(message));
    }

    [Fact]
    public void Other_messages_keep_their_first_line()
    {
        Assert.Equal("first", ErrorText.OneLine("first\n  second\nthird"));
        Assert.Equal("unknown error", ErrorText.OneLine("\n \n"));
    }
}
