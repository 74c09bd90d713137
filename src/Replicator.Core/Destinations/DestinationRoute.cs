namespace Replicator.Core.Destinations;

/// <summary>
/// The credentials one destination is written with (<see cref="DestinationAccess.Route"/>). Holds names and
/// ARNs only: secrets are read when needed and never kept in configuration.
/// </summary>
/// <param name="Kind">Which credentials.</param>
/// <param name="RoleArn">The role to assume (<see cref="DestinationRouteKind.AssumeRole"/>).</param>
/// <param name="ParameterName">The SSM parameter holding the key pair (<see cref="DestinationRouteKind.SsmCredentials"/>).</param>
public sealed record DestinationRoute(DestinationRouteKind Kind, string? RoleArn = null, string? ParameterName = null)
{
    public static DestinationRoute Source { get; } = new(DestinationRouteKind.SourceCredentials);

    public override string ToString() => Kind switch
    {
        DestinationRouteKind.AssumeRole => $"role {RoleArn}",
        DestinationRouteKind.SsmCredentials => $"credentials in SSM parameter {ParameterName}",
        _ => "the replicator's own credentials",
    };
}
