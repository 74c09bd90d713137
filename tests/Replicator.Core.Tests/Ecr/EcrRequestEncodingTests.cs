using System.Text.Json;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Ecr;

public sealed class EcrRequestEncodingTests
{
    [Fact]
    public async Task Manifest_text_survives_escaping_exactly()
    {
        // Quotes, backslashes, control characters, line separators, non-ASCII and HTML-significant characters.
        const string manifest = "{\"a\":\"x\\\\y\",\n\t\"b\":\"<script>&'\u2028\u00e9\u4e2d\u0001\",\"c\":\"\ud83d\ude00\"}";
        var handler = new RecordingHandler().RespondOk("{}");
        await TestClients.Create(handler).PutImageAsync(new PutImageRequest { RepositoryName = "app", ImageManifest = manifest });

        using var body = JsonDocument.Parse(handler.Requests.Single().Body);
        Assert.Equal(manifest, body.RootElement.GetProperty("imageManifest").GetString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Timeout_must_be_positive_or_infinite(int seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EcrClientConfig("us-east-1") { Timeout = TimeSpan.FromSeconds(seconds) });
        Assert.Equal(Timeout.InfiniteTimeSpan, new EcrClientConfig("us-east-1") { Timeout = Timeout.InfiniteTimeSpan }.Timeout);
    }
}
