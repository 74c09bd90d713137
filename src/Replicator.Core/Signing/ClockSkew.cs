namespace Replicator.Core.Signing;

/// <summary>
/// Decides, from one refused request, whether our clock is skewed from the service's and by how much: pure, so
/// every error shape is tested without HTTP. <see cref="SigningClock"/> keeps the result per endpoint.
/// </summary>
/// <remarks>
/// AWS refuses a SigV4 request whose <c>X-Amz-Date</c> is more than 5 minutes from its own clock ("Time stamp
/// errors", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html), as
/// <c>InvalidSignatureException</c> "Signature expired: 20131008T001036Z is now earlier than 20131008T001112Z
/// (20131008T001612Z - 5 min.)" (https://github.com/boto/botocore/issues/149) or "Signature not yet current: ... is
/// still later than ... (... + 5 min.)" in AWS JSON services (HTTP 400 in https://github.com/aws/aws-sdk-php/issues/1780,
/// 403 elsewhere, so the status is not read), <c>SignatureDoesNotMatch</c> with the same text in query services, and
/// <c>RequestTimeTooSkewed</c>, <c>RequestExpired</c>, <c>RequestInTheFuture</c> or <c>AuthFailure</c> in others.
/// The codes are the AWS SDK for .NET's (<c>RetryPolicy.IsClockskew</c>: "definite" and "possible" clock skew codes,
/// https://github.com/aws/aws-sdk-net/blob/main/sdk/src/Core/Amazon.Runtime/Pipeline/RetryHandler/RetryPolicy.cs) and
/// the JavaScript SDK's <c>CLOCK_SKEW_ERROR_CODES</c>
/// (https://github.com/aws/aws-sdk-js-v3/blob/main/packages/service-error-classification/src/constants.ts). Like the
/// .NET SDK, the service's time comes from the answer's <c>Date</c> header (an IMF-fixdate: RFC 9110 section 6.6.1, RFC 7231 before it; the SDK falls
/// back to the time in the message, which we do not: a proxy that strips <c>Date</c> gets today's behaviour), and a
/// correction is made only when that time is more than <see cref="Threshold"/> from the time the request was signed
/// with: a code alone, e.g. <c>RequestExpired</c> for a presigned URL past its expiry, is no evidence of skew.
/// botocore does not correct skew: its retry data (<c>data/_retry.json</c>) and <c>retries/standard.py</c> name none
/// of these codes, and the <c>Date</c> header only sets the <c>ttl</c> of its <c>amz-sdk-request</c> header.
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
