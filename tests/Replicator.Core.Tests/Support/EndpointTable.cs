namespace Replicator.Core.Tests.Support;

/// <summary>Reads a table Fixtures/generate_endpoints.py wrote: region, partition, fips, dualstack, url (or "error").</summary>
internal static class EndpointTable
{
    public static TheoryData<string, string, bool, bool, string> Read(string fileName)
    {
        var rows = new TheoryData<string, string, bool, bool, string>();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName)))
        {
            if (line.StartsWith('#') || line.StartsWith("region\t", StringComparison.Ordinal) || line.Length == 0)
            {
                continue;
            }

            var f = line.Split('\t');
            rows.Add(f[0], f[1], bool.Parse(f[2]), bool.Parse(f[3]), f[4]);
        }

        return rows;
    }
}
