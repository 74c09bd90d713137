using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary><see cref="ReferrerSubjects"/> asked directly, with a mocked destination, for answers LocalEcr never gives.</summary>
public sealed class ReferrerSubjectsTests
{
    private const string Referrer = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Subject = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    /// <summary>
    /// At the subject-chain bound the destination is asked whether it holds the subject; a destination that refuses the
    /// question (a role without <c>ecr:DescribeImages</c>) gives the referrer's result there that refusal, with its code
    /// and permanence, and the observer hears of it. Thrown instead, it would end the whole request and take the other
    /// destinations' results with it.
    /// </summary>
    [Fact]
    public async Task A_destination_that_refuses_the_subject_lookup_at_the_bound_fails_with_its_refusal()
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.DescribeImagesAsync(It.IsAny<DescribeImagesRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.AccessDeniedException, "not authorized to perform: ecr:DescribeImages"));
        var clients = new Mock<IDestinationClients>();
        clients.Setup(c => c.GetClient(It.IsAny<ReplicationDestination>(), It.IsAny<string?>())).Returns(client.Object);
        var observer = new Mock<IReplicationObserver>();
        var subjects = new ReferrerSubjects(clients.Object, RepositoryMapping.Identity, observer.Object, TimeProvider.System);
        var destination = new ReplicationDestination("us-west-2");

        var (at, waiting) = await subjects.SubjectAtBoundAsync(
            destination, new ImageReference("000000000000", "us-east-1", "app", Referrer, null), Referrer, Subject, TimeProvider.System.GetTimestamp(), CancellationToken.None);

        Assert.Equal(destination, at);
        Assert.NotNull(waiting);
        Assert.Equal(ReplicationOutcome.Failed, waiting.Outcome);
        Assert.Equal(EcrErrorCodes.AccessDeniedException, waiting.ErrorCode);
        Assert.False(waiting.Transient);
        Assert.Equal(Referrer, waiting.Digest);
        observer.Verify(o => o.DestinationDone(waiting), Times.Once);
    }
}
