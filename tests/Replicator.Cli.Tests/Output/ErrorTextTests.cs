using Replicator.Cli.Output;

namespace Replicator.Cli.Tests.Output;

public sealed class ErrorTextTests
{
    [Fact]
    public void The_credential_chain_failure_becomes_one_actionable_line()
    {
        const string sdk = "Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:\n\nException 1 of 4: ...";

        Assert.Equal(ErrorText.NoCredentials, ErrorText.OneLine(sdk));
    }

    [Fact]
    public void Other_messages_keep_their_first_line()
    {
        Assert.Equal("first", ErrorText.OneLine("first\n  second\nthird"));
        Assert.Equal("unknown error", ErrorText.OneLine("\n \n"));
    }
}
