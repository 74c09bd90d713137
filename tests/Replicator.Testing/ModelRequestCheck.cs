using System.Text.Json;
using LocalEcr.Model;

namespace Replicator.Testing;

/// <summary>
/// Checks recorded ECR requests against botocore's ECR model (LocalEcr's generated copy), unknown members included:
/// ECR ignores a member it does not define, so only a check on the client's side catches one.
/// </summary>
public static class ModelRequestCheck
{
    /// <summary>Every distinct violation, as "Operation: message"; empty when every request satisfies the model.</summary>
    public static List<string> Violations(IEnumerable<(string Operation, byte[] Body)> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var model = EcrModel.Instance;
        return requests
            .SelectMany(r =>
            {
                using var body = JsonDocument.Parse(r.Body);
                return model.Check(r.Operation, body.RootElement, unknownMembers: true).Select(v => $"{r.Operation}: {v.Message}");
            })
            .Distinct()
            .ToList();
    }
}
