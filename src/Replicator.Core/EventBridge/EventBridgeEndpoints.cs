using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Core.Partitions;
using Replicator.Core.Validation;

namespace Replicator.Core.EventBridge;

/// <summary>
/// Where the EventBridge API of a region lives, as botocore's rule set for <c>events</c>
/// (botocore/data/events/2015-10-07/endpoint-rule-set-1.json) resolves it in every partition; the table
/// tests/Replicator.Core.Tests/Fixtures/events-endpoints.tsv is generated from botocore itself. Pure: the
/// environment comes in through <see cref="IEnvironmentVariables"/>.
/// </summary>
public static class EventBridgeEndpoints
{
    /// <summary>
    /// The service-specific override: <c>AWS_ENDPOINT_URL_</c> and the model's <c>serviceId</c> (<c>EventBridge</c>)
    /// upper-cased (docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
    /// </summary>
    public const string ServiceEndpointVariable = "AWS_ENDPOINT_URL_EVENTBRIDGE";

    /// <summary>
    /// The public endpoint: <c>events</c> / <c>events-fips</c> on the partition's DNS suffix, or on its dual-stack
    /// suffix. Two exceptions in the rule set: FIPS in us-gov-east-1 and us-gov-west-1 is the plain
    /// <c>events.{region}.amazonaws.com</c> (already FIPS validated), and FIPS with dual-stack in aws-us-gov is
    /// <c>events.{region}.api.aws</c>.
    /// </summary>
    public static Uri ForRegion(string region, bool useFips, bool useDualStack)
    {
        if (EcrNames.ValidateRegion(region) is { } problem)
        {
            throw new ArgumentException(problem, nameof(region));
        }

        var partition = AwsPartitions.ForRegion(region);
        var host = (useFips, useDualStack) switch
        {
            (true, true) when partition == AwsPartitions.AwsUsGov => $"events.{region}.{partition.DualStackDnsSuffix}",
            (true, true) => $"events-fips.{region}.{partition.DualStackDnsSuffix}",
            (true, false) when region is "us-gov-east-1" or "us-gov-west-1" => $"events.{region}.{partition.DnsSuffix}",
            (true, false) => $"events-fips.{region}.{partition.DnsSuffix}",
            (false, true) => $"events.{region}.{partition.DualStackDnsSuffix}",
            (false, false) => $"events.{region}.{partition.DnsSuffix}",
        };
        return new Uri($"https://{host}/");
    }

    /// <summary>
    /// <c>AWS_ENDPOINT_URL_EVENTBRIDGE</c>, else <c>AWS_ENDPOINT_URL</c> (both off under
    /// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>), else the public endpoint with FIPS and dual-stack as
    /// <c>AWS_USE_FIPS_ENDPOINT</c> / <c>AWS_USE_DUALSTACK_ENDPOINT</c> (or the shared config file) say, exactly as
    /// for ECR (<see cref="EcrEndpoints"/>). An override wins over FIPS and dual-stack, as it does for ECR here.
    /// Throws <see cref="SettingException"/> for a malformed override, <see cref="ArgumentException"/> naming the
    /// variable for a flag that is not a boolean.
    /// </summary>
    public static Uri Resolve(string region, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (ServiceEndpoints.Override(environment, ServiceEndpointVariable) is { } overridden)
        {
            return overridden;
        }

        return ForRegion(region, EcrEndpoints.UseFips(environment), EcrEndpoints.UseDualStack(environment));
    }
}
