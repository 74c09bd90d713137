using System.Text.Json;

namespace Replicator.Cli.Output;

/// <summary>
/// Turns the function's JSON log and EMF lines into short readable lines for the demo (the raw JSON is for
/// CloudWatch, not for people). Lines that are not JSON are shown as they are.
/// </summary>
public static class FunctionOutputSummary
{
    public static IReadOnlyList<string> Summarise(IReadOnlyList<string> lines, out int metricLines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        metricLines = 0;
        var shown = new List<string>();
        foreach (var line in lines.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                shown.Add(line);
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    shown.Add(line);
                }
                else if (root.TryGetProperty("_aws", out _))
                {
                    metricLines++;
                }
                else
                {
                    shown.Add(Describe(root));
                }
            }
        }

        return shown;
    }

    private static string Describe(JsonElement root)
    {
        var level = Text(root, "level")?.ToLowerInvariant() ?? "log";
        var message = Text(root, "message") ?? string.Empty;
        var details = new[] { "destinationRegion", "outcome", "layersCopied", "bytes", "durationMs" }
            .Select(name => (name, value: Text(root, name)))
            .Where(p => p.value is not null)
            .Select(p => $"{p.name}={p.value}");
        var suffix = string.Join(" ", details);
        return suffix.Length == 0 ? $"{level,-5} {message}" : $"{level,-5} {message} ({suffix})";
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => null,
            }
            : null;
}
