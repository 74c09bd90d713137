using System.Diagnostics;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Samples;

namespace BenchDriver;

/// <summary>
/// inflight: copies one image in process with the engine (JIT) once per value of
/// <see cref="BlobCopyOptions.PartsInFlight"/>, in alternating order per round so every value sees the same load,
/// and prints "round, parts in flight, seconds, process CPU seconds" per copy. The caller sets LocalEcr's delay
/// fault first: this is how the read-ahead depth was chosen (docs/performance.md).
/// </summary>
internal static class InFlightCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var endpoint = new Uri(options.Get("endpoint").TrimEnd('/') + "/");
        var repository = options.Get("repo");
        var digest = options.Get("digest");
        var destination = options.Get("dest-region", "us-west-2");
        var depths = options.Get("parts", "1,2,4").Split(',').Select(int.Parse).ToArray();
        var rounds = (int)options.GetLong("rounds", 1);
        using var clients = new LocalEcrClients(endpoint.ToString());
        using var http = EcrClientFactory.CreateHttpClient();
        var env = new InMemoryEnvironmentVariables(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = endpoint.ToString() });
        var factory = new EcrClientFactory(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), env);
        var request = new ReplicationRequest(new ImageReference("000000000000", "us-east-1", repository, digest, "v1"), [new ReplicationDestination(destination)]);
        for (var round = 1; round <= rounds; round++)
        {
            var order = round % 2 == 1 ? depths : [.. depths.Reverse()];
            foreach (var depth in order)
            {
                await clients.DeleteRepositoryAsync(destination, repository);
                var engine = new ImageReplicator(factory, http, new ReplicatorOptions { BlobCopy = new BlobCopyOptions { AllowInsecureDownloads = true, PartsInFlight = depth } });
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var result = await engine.ReplicateAsync(request, CancellationToken.None);
                var seconds = clock.Elapsed.TotalSeconds;
                var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                if (!result.Succeeded)
                {
                    Console.Error.WriteLine($"copy failed: {result.Destinations[0].ErrorCode} {result.Destinations[0].Message}");
                    return 1;
                }

                Console.WriteLine($"{round}\t{depth}\t{seconds:F3}\t{used:F2}");
            }
        }

        return 0;
    }
}
