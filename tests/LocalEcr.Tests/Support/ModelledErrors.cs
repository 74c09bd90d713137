using LocalEcr.Model;

namespace LocalEcr.Tests.Support;

/// <summary>
/// Which error codes an ECR answer may carry: those botocore's model lists in the operation's <c>errors</c>, and the
/// few that every AWS JSON service sends whatever the operation (its authentication and protocol front end, before
/// the operation runs). A client that switches on codes (ours does) must never meet one LocalEcr invented, and one
/// that ECR could not send for that operation would make a test pass offline that fails on AWS.
/// </summary>
internal static class ModelledErrors
{
    /// <summary>
    /// The codes LocalEcr sends for any operation although the ECR model lists none of them: the "Common Errors" that
    /// AWS documents for the API actions of all its services (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/CommonErrors.html;
    /// its current edition, with ExpiredTokenException: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html),
    /// in the spelling a JSON-protocol service puts in <c>__type</c>. Only those LocalEcr actually sends are listed: every
    /// other code on that page (InternalFailure, ThrottlingException, ServiceUnavailable, ...) comes here only from a
    /// test's injected fault, never from LocalEcr, so allowing it would only weaken the check. Add one with its source.
    /// </summary>
    public static readonly IReadOnlySet<string> Common = new HashSet<string>(StringComparer.Ordinal)
    {
        // On the Common Errors page; ECR's own form of IAM's refusal ("A client error (AccessDeniedException) occurred
        // when calling the GetAuthorizationToken operation", https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors.html).
        // LocalEcr: another account's registryId or resourceArn.
        "AccessDeniedException",

        // On the Common Errors page. LocalEcr: an STS session past its expiration, or revoked.
        "ExpiredTokenException",

        // On the Common Errors page. LocalEcr: an unknown access key, a key of another partition, a wrong session token;
        // ECR answers it as {"__type":"UnrecognizedClientException"} (https://github.com/aws/aws-sdk-php/issues/1114).
        "UnrecognizedClientException",

        // On the Common Errors page. LocalEcr: an X-Amz-Target of no ECR operation, or a Content-Type other than
        // awsJson1_1's (Kinesis answers that so too, https://github.com/disneystreaming/smithy4s/issues/167).
        "UnknownOperationException",

        // The page's IncompleteSignature, as a JSON service spells it: {"__type":"IncompleteSignatureException"}
        // (https://github.com/iann0036/cloud9-sync/issues/10). LocalEcr: an Authorization header lacking a part.
        "IncompleteSignatureException",

        // The page's MissingAuthenticationToken (in its older editions), as ECR itself spells it: "Service: AmazonECR;
        // ... Error Code: MissingAuthenticationTokenException" (https://github.com/jenkinsci/amazon-ecr-plugin/issues/199).
        // LocalEcr: an unsigned request.
        "MissingAuthenticationTokenException",

        // A SigV4 signature that does not verify, or is dated more than 5 minutes off ("Signature expired: ...",
        // https://github.com/boto/botocore/issues/149): the JSON services' form of the page's signature errors.
        "InvalidSignatureException",

        // A body that is not the JSON the operation's shapes describe: the JSON protocol's own error, before the model's
        // constraints are checked (Firehose, awsJson1_1 like ECR: {"__type":"SerializationException"} with 400,
        // https://github.com/pplu/aws-sdk-perl/issues/237).
        "SerializationException",
    };

    /// <summary>True when ECR may answer <paramref name="code"/> to a call of <paramref name="operation"/>.</summary>
    /// <param name="operation">The operation, as in X-Amz-Target after its prefix; one the model does not know allows only <see cref="Common"/>.</param>
    /// <param name="code">The error code of the answer (<c>__type</c>, X-Amzn-Errortype).</param>
    public static bool Allows(string operation, string code) =>
        Common.Contains(code) || (EcrModel.Instance.Knows(operation) && EcrModel.Instance.Errors(operation).Contains(code, StringComparer.Ordinal));

    /// <summary>Every code <see cref="Allows"/> accepts for <paramref name="operation"/>, for a failure's message.</summary>
    public static IEnumerable<string> AllowedFor(string operation) =>
        (EcrModel.Instance.Knows(operation) ? EcrModel.Instance.Errors(operation) : []).Concat(Common).Order(StringComparer.Ordinal);
}
