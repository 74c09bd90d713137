using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Core.Ecr;
using Replicator.Core.Partitions;

namespace Replicator.Cli.Commands;

/// <summary>
/// ECR's refusal of the CLI's own access key in the source region (<c>UnrecognizedClientException</c>, "The security
/// token included in the request is invalid.") names neither the region nor a cause, and the command's first call
/// meets it, so an operator whose <c>AWS_REGION</c> or <c>--source-region</c> is in another partition than the profile's
/// keys read it as broken credentials. Its causes: a key inactive or deleted; a key of another partition (an IAM
/// identity exists in one partition only: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns);
/// an opt-in region the account has not enabled, or a version 1 session token there
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html,
/// https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html). The error line keeps ECR's words and
/// adds the region, its partition and what to check. A destination's refusal is reported per destination (verify's
/// <c>unreadable</c>, a failed destination of sync or copy), so what reaches this is the source's.
/// </summary>
internal static class RefusedSourceKey
{
    public static async Task<int> ExplainAsync(string sourceRegion, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (EcrException e) when (EcrErrorCodes.IsRefusedKey(e.ErrorCode))
        {
            throw new UsageException(Explain(e, sourceRegion));
        }
    }

    // No ':' or '=' right after "key" or "token": the redactor would read what follows as a secret and hide it.
    internal static string Explain(EcrException refusal, string sourceRegion)
    {
        var partition = AwsPartitions.IdOf(sourceRegion);
        return $"{Format.ErrorLine(refusal)}; ECR in {sourceRegion} (partition {partition}) does not know the access key the command signs with. "
            + $"Check that the key is active, that it belongs to partition {partition} (each partition has its own IAM users and keys: "
            + $"use a profile of that partition, --profile NAME, or a --source-region of the key's partition), and that {sourceRegion} is enabled for the account if it is an opt-in region";
    }
}
