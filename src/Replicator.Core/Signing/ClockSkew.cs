namespace Replicator.Core.Signing;

/// <summary>
/// Decides, from one refused request, whether our clock is skewed from the service's and by how much: pure, so
/// every error shape is tested without HTTP. <see cref="SigningClock"/> keeps the result per endpoint.
/// </summary>
/// <remarks>
/// AWS refuses a SigV4 request whose <c>X-Amz-Date</c> is more than 5 minutes from its own clock ("Time stamp
/// errors", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html): in AWS JSON
/// services as <c>InvalidSignatureException</c> "Signature expired: 20131008T001036Z is now earlier than
/// 20131008T001112Z (20131008T001612Z - 5 min.)" (https://github.com/boto/botocore/issues/149) or "Signature not yet
/// current: ... is still later than ... (... + 5 min.)", with HTTP 400 (https://github.com/aws/aws-sdk-php/issues/1780)
/// or 403 in other reports, so the status is not read; as <c>SignatureDoesNotMatch</c> with the same text in query
/// services; as <c>RequestTimeTooSkewed</c>, <c>RequestExpired</c>, <c>RequestInTheFuture</c> or <c>AuthFailure</c>
/// in others. The codes are the AWS SDK for .NET's "definite" and "possible" clock skew codes
/// (<c>RetryPolicy.IsClockskew</c>,
/// https://github.com/aws/aws-sdk-net/blob/090f66a3cb8f83671510d95a2dae1817ebb4fecb/sdk/src/Core/Amazon.Runtime/Pipeline/RetryHandler/RetryPolicy.cs)
/// and the JavaScript SDK's <c>CLOCK_SKEW_ERROR_CODES</c>
/// (https://github.com/aws/aws-sdk-js-v3/blob/97efeeb7ca6dd1d7eb1f06ea0934284db1d45aa6/packages/service-error-classification/src/constants.ts).
/// As in the .NET SDK, the service's time is the answer's <c>Date</c> header (an IMF-fixdate: RFC 9110 section 6.6.1,
/// RFC 7231 before it; the SDK falls back to the time in the message, which we do not: without <c>Date</c> the
/// refusal surfaces as before), and a correction is made only when that time is more than <see cref="Threshold"/>
/// from the time the request was signed with: a code alone, e.g. <c>RequestExpired</c> for a presigned URL past its
/// expiry, is no evidence of skew. botocore does not correct skew: its retry data (<c>data/_retry.json</c>) and
/// <c>retries/standard.py</c> name none of these codes, and it reads <c>Date</c> only for the <c>ttl</c> of its
/// <c>amz-sdk-request</c> header (<c>endpoint.py</c>).
/// </remarks>
public static class ClockSkew
{
    /// <summary>
    /// The SigV4 window (5 minutes), also the SDKs' threshold below which a skew is not corrected (the .NET SDK's
    /// <c>clockSkewMaxThreshold</c>; the Swift SDK's <c>clockSkewThreshold</c> of 300 s).
    /// </summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromMinutes(5);

    private static readonly HashSet<string> Codes = new(StringComparer.OrdinalIgnoreCase)
    {
        "RequestTimeTooSkewed",
        "RequestExpired",
        "RequestInTheFuture",
        "InvalidSignatureException",
        "AuthFailure",
        "SignatureDoesNotMatch",
    };

    /// <summary>The code is one the SDKs treat as clock skew, or the message is AWS's "Signature expired" or "Signature not yet current".</summary>
    public static bool IsSkewError(string? errorCode, string? message) =>
        (errorCode is not null && Codes.Contains(errorCode))
        || (message is not null
            && (message.StartsWith("Signature expired:", StringComparison.Ordinal)
                || message.StartsWith("Signature not yet current:", StringComparison.Ordinal)));

    /// <summary>
    /// The offset to add to <paramref name="localNow"/> to sign on the service's clock (<c>serverDate - localNow</c>),
    /// or null when this refusal is not a skew: not a skew error (<see cref="IsSkewError"/>), no <c>Date</c>, or a
    /// <c>Date</c> within <see cref="Threshold"/> of <paramref name="signedAt"/> (the time the refused request was
    /// signed with, the current correction included).
    /// </summary>
    public static TimeSpan? Offset(string? errorCode, string? message, DateTimeOffset? serverDate, DateTimeOffset signedAt, DateTimeOffset localNow)
    {
        if (serverDate is not { } server || !IsSkewError(errorCode, message) || (server - signedAt).Duration() <= Threshold)
        {
            return null;
        }

        return server - localNow;
    }
}
