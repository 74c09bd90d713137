using Replicator.Core.Ecr;
using Replicator.Core.Manifests;

namespace Replicator.Core.Replication;

/// <summary>Turns an exception from a destination's copy into an error code, a safe message and a retry verdict.</summary>
internal static class FailureClassifier
{
    public static (string Code, string Message, bool Transient) Classify(Exception exception, string? tag, CancellationToken cancellationToken) => exception switch
    {
        EcrException { ErrorCode: EcrErrorCodes.ImageTagAlreadyExistsException } => (
            ReplicationErrorCodes.ImmutableTagConflict,
            $"tag '{tag}' already points at another digest in the immutable destination repository; retrying cannot fix this",
            false),
        EcrException e => (e.ErrorCode, e.Message, e.IsTransient),
        ReplicationException e => (e.ErrorCode, e.Message, e.IsTransient),
        ManifestException e => (ReplicationErrorCodes.InvalidManifest, e.Message, false),
        OperationCanceledException when cancellationToken.IsCancellationRequested => (
            ReplicationErrorCodes.DeadlineExceeded,
            "the deadline ran out before the copy finished; layers already copied are kept and skipped next time",
            true),

        // Anything else is a bug or an unexpected transport failure: let a retry try again, the DLQ catches repeats.
        _ => ("InternalError", $"{exception.GetType().Name} during replication", true),
    };
}
