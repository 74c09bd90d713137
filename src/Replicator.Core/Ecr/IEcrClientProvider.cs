namespace Replicator.Core.Ecr;

/// <summary>Hands out the ECR client of a region (one per region, sharing connections and credentials).</summary>
public interface IEcrClientProvider
{
    IEcrClient GetClient(string region);
}
