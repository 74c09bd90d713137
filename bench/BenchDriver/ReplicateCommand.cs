using System.Diagnostics;
using System.Text.Json.Nodes;
using LocalLambdaHost;

namespace BenchDriver;

/// <summary>
/// replicate: one invocation of the function on a push event for an image already in the source region, served
/// through the loopback Runtime API. Prints one JSON line: wall seconds from process start to the response,
/// peak RSS of the bootstrap, and LocalEcr's call counts for this invocation.
/// </summary>
internal static class ReplicateCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var endpoint = options.Get("endpoint");
        var repository = options.Get("repo");
        var sourceRegion = options.Get("source-region", "us-east-1");
        var destinationRegion = options.Get("dest-region", "us-west-2");
        using var clients = new LocalEcrClients(endpoint);
        if (options.Get("fresh", "true") == "true")
        {
            // DESTINATION_REGIONS is a comma-separated list: every destination starts empty.
            foreach (var region in destinationRegion.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await clients.DeleteRepositoryAsync(region, repository);
            }
        }

        await clients.ResetCallsAsync();
        var payload = BuildEvent(options.Get("event-template"), repository, options.Get("digest"), options.Get("tag", "v1"), sourceRegion);
        await using var api = await LocalRuntimeApi.StartAsync();
        await WarmUpAsync(api);
        var localEcrPid = (int)options.GetLong("localecr-pid", 0);
        var localEcrCpuBefore = localEcrPid > 0 ? FunctionProcess.CpuSeconds(localEcrPid) : 0;

        var clock = Stopwatch.StartNew();
        var function = FunctionProcess.Start(options.Get("bootstrap"), api.Address, endpoint, sourceRegion, destinationRegion);
        try
        {
            var result = await api.InvokeAsync(payload, TimeSpan.FromMinutes(15)).WaitAsync(TimeSpan.FromMinutes(15));
            var seconds = clock.Elapsed.TotalSeconds;
            var peak = FunctionProcess.PeakRssKb(function);
            var cpu = FunctionProcess.CpuSeconds(function.Id);
            var systemCpu = FunctionProcess.SystemCpuSeconds(function.Id);
            var minorFaults = FunctionProcess.MinorFaults(function.Id);
            var localEcrCpu = localEcrPid > 0 ? FunctionProcess.CpuSeconds(localEcrPid) - localEcrCpuBefore : 0;
            if (result.Status != LocalInvocationStatus.Response || !result.Body.Contains("\"batchItemFailures\":[]", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"the invocation failed: {result.Status} {result.ErrorType} {result.Body}");
                return 1;
            }

            var line = new JsonObject
            {
                ["seconds"] = Math.Round(seconds, 4),
                ["peakRssKb"] = peak,
                ["pid"] = function.Id,
                ["cpuSeconds"] = cpu,
                ["systemCpuSeconds"] = systemCpu,
                ["minorFaults"] = minorFaults,
                ["localEcrCpuSeconds"] = Math.Round(localEcrCpu, 2),
                ["calls"] = JsonNode.Parse(await clients.CallsAsync())!["calls"]!.DeepClone(),
            };
            Console.WriteLine(line.ToJsonString());
            return 0;
        }
        finally
        {
            FunctionProcess.Stop(function);
        }
    }

    /// <summary>
    /// Serves one invocation to the driver's own client before the clock starts. The driver is a JIT process started
    /// afresh for every copy, so the first request its Runtime API serves compiles Kestrel's request path, the routing
    /// and the handlers: 0.2-0.25 s for the first GET next and 0.02-0.04 s for the first response POST at load 15,
    /// 1-10 ms each after that. Left in, that time is counted as the function's (and, on these two cores, takes CPU from
    /// it): the copy's seconds and every ratio built on them. skopeo's side has nothing like it.
    /// </summary>
    private static async Task WarmUpAsync(LocalRuntimeApi api)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{api.Address}/2018-06-01/runtime/invocation/") };
        var invocation = api.InvokeAsync("{}", TimeSpan.FromMinutes(1));
        using var next = await http.GetAsync(new Uri("next", UriKind.Relative));
        next.EnsureSuccessStatusCode();
        var id = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single();
        using var body = new StringContent("{}");
        using var posted = await http.PostAsync(new Uri($"{id}/response", UriKind.Relative), body);
        posted.EnsureSuccessStatusCode();
        var result = await invocation.WaitAsync(TimeSpan.FromMinutes(1));
        if (result.Status != LocalInvocationStatus.Response)
        {
            throw new InvalidOperationException($"the Runtime API's warm-up invocation ended {result.Status}");
        }
    }

    private static string BuildEvent(string templatePath, string repository, string digest, string tag, string region)
    {
        var sqs = JsonNode.Parse(File.ReadAllText(templatePath))!;
        var record = sqs["Records"]![0]!;
        var body = JsonNode.Parse(record["body"]!.GetValue<string>())!;
        body["region"] = region;
        body["account"] = "000000000000";
        var detail = body["detail"]!;
        detail["repository-name"] = repository;
        detail["image-digest"] = digest;
        detail["image-tag"] = tag;
        record["body"] = body.ToJsonString();
        record["awsRegion"] = region;
        record["messageId"] = Guid.NewGuid().ToString();
        record["attributes"]!["MessageDeduplicationId"] = Guid.NewGuid().ToString("N");
        return sqs.ToJsonString();
    }
}
