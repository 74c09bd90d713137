namespace Replicator.Function.Events;

/// <summary>
/// A validated EventBridge "ECR Image Action" event (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html),
/// what <see cref="EcrEventParser"/> makes of a message body. Its wire form is <see cref="EcrImageActionEvent"/>.
/// </summary>
public sealed record ImageAction(
    string? Id,
    string Account,
    string Region,
    DateTimeOffset? Time,
    string ActionType,
    string Result,
    string RepositoryName,
    string? Digest,
    string? Tag)
{
    public const string Push = "PUSH";
    public const string Delete = "DELETE";
    public const string Success = "SUCCESS";
}
