namespace Replicator.Core.Resilience;

/// <summary>
/// One retry of an ECR call after a transient error, as the retry pipeline reports it: what failed, where, with which
/// error code, and how long the pipeline waits before trying again. Never holds a URL or a credential.
/// </summary>
/// <param name="Operation">The ECR operation (PutImage, UploadLayerPart...).</param>
/// <param name="Target">Where the call went: a region, or <c>ACCOUNT:REGION</c> for a destination in a named account.</param>
/// <param name="Retry">Which retry this is: 1 for the first, up to <see cref="RetrySettings.MaxRetries"/>.</param>
/// <param name="ErrorCode">The error code of the attempt that failed (ThrottlingException, ServerException...).</param>
/// <param name="Delay">The wait before the retry.</param>
public sealed record EcrRetry(string Operation, string Target, int Retry, string ErrorCode, TimeSpan Delay);
