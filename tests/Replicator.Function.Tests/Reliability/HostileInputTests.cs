using Replicator.Core.Tests.Fuzzing;
using Replicator.Function.Processing;
using Replicator.Function.Tests.Fuzzing;
using static Replicator.Function.Tests.Reliability.FunctionRig;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Reliability;

/// <summary>Hostile input through the function with the real engine: nothing invalid ever becomes an ECR request.</summary>
public sealed class HostileInputTests
{
    [Fact]
    public async Task Invalid_events_make_no_ecr_request_and_are_dead_lettered_with_their_reason()
    {
        await using var rig = await StartAsync();
        var mutator = new JsonMutator(seed: 808);
        var bodies = HostileEvents.All().Select(c => c.Body).ToList();
        while (bodies.Count < 300)
        {
            // Mutations that still parse are valid events; only the refused ones are hostile input here.
            var body = mutator.Mutate(E.Body(repository: "team/app"));
            if (EcrEventParserFuzzTests.Check(body, "mutation") is not null)
            {
                bodies.Add(body);
            }
        }

        var records = bodies.Select((body, i) => E.Record($"bad-{i}", body, group: $"g{i % 7}")).ToArray();
        foreach (var batch in records.Chunk(10))
        {
            Assert.Empty(Failed(await rig.ProcessAsync(batch)));
        }

        Assert.Equal(0, rig.Server.Calls.Total);
        Assert.Equal(records.Length, rig.DeadLetter.Sent.Count);
        Assert.All(rig.DeadLetter.Sent, m =>
        {
            Assert.Equal(RecordHandler.InvalidEventErrorType, m.ErrorType);
            Assert.InRange(m.Reason.Length, 5, 999);
        });
        Assert.Equal(records.Select(r => r.Body), rig.DeadLetter.Sent.OrderBy(m => int.Parse(m.DeduplicationId[4..], System.Globalization.CultureInfo.InvariantCulture)).Select(m => m.Body));
    }

    [Fact]
    public async Task An_http_download_url_is_refused_without_an_endpoint_override_and_nothing_is_published()
    {
        // LocalEcr hands out http URLs; an engine that does not allow them (no endpoint override) must refuse them.
        var strict = FastOptions with { BlobCopy = FastOptions.BlobCopy with { AllowInsecureDownloads = false } };
        await using var rig = await StartAsync(strict);
        var image = await rig.PushAsync("plain", 40, "v1", 20_000);
        var message = rig.Message("plain", image.Digest, "v1");

        var response = await rig.ProcessAsync(message);

        Assert.Empty(Failed(response));
        var dead = Assert.Single(rig.DeadLetter.Sent);
        Assert.Equal("InsecureDownloadUrl", dead.ErrorType);
        Assert.Equal(0, rig.Server.Calls.Count(Source, "DownloadLayer"));
        Assert.DoesNotContain("_blobs/", rig.Output + dead.Reason, StringComparison.Ordinal);
        Assert.False(await rig.HasVerifiedImageAsync(West, "plain", image.Digest));
    }
}
