using System.Security.Cryptography;
using System.Text.Json;
using Replicator.Core.Ecr.Http;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Serialization;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Ecr;

/// <summary>The UploadLayerPart body: base64 straight into one pooled buffer, byte-equal to the serializer's output.</summary>
public sealed class UploadLayerPartBodyTests
{
    private static UploadLayerPartRequest Part(int size)
    {
        var blob = new byte[size];
        new Random(1234).NextBytes(blob);
        return new UploadLayerPartRequest
        {
            RegistryId = "123456789012",
            RepositoryName = "team/app",
            UploadId = "0d5b6d2a-1b34-4bd4-9c7e-6a3f3c8d0e11",
            PartFirstByte = 10_485_760,
            PartLastByte = 10_485_760L + size - 1,
            LayerPartBlob = blob,
        };
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5 * 1024 * 1024 + 1)]
    [InlineData(10 * 1024 * 1024)]
    public void Body_equals_the_reference_serializer_and_never_grows(int size)
    {
        var request = Part(size);
        var reference = JsonSerializer.SerializeToUtf8Bytes(request, EcrJsonContext.Default.UploadLayerPartRequest);

        using var body = EcrRequestBody.SerializeUploadLayerPart(request);

        Assert.True(reference.AsSpan().SequenceEqual(body.WrittenSpan), "body differs from the reference serialization");
        Assert.Equal(0, body.GrowCount);
        using var parsed = JsonDocument.Parse(body.WrittenMemory);
        Assert.True(request.LayerPartBlob.Span.SequenceEqual(parsed.RootElement.GetProperty("layerPartBlob").GetBytesFromBase64()));
    }

    [Fact]
    public async Task A_multi_MiB_part_crosses_a_real_socket_intact_and_is_signed_over_those_bytes()
    {
        var request = Part(10 * 1024 * 1024);
        var expected = JsonSerializer.SerializeToUtf8Bytes(request, EcrJsonContext.Default.UploadLayerPartRequest);
        await using var server = new LoopbackHttpServer(_ => """{"lastByteReceived":20971519}""");
        var client = TestClients.Create(new SocketsHttpHandler(), serviceUrl: server.Url);

        var response = await client.UploadLayerPartAsync(request);

        Assert.Equal(20_971_519L, response.LastByteReceived);
        Assert.Equal("loopback-1", response.ResponseMetadata.RequestId);
        var (head, received) = Assert.Single(server.Received);
        Assert.Equal(SHA256.HashData(expected), SHA256.HashData(received));

        // Re-sign what arrived, independently of the client: the signature must cover exactly these bytes.
        var headers = head.Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].ToLowerInvariant(), p => p[1].Trim());
        var resigned = SigV4Signer.Sign(
            new SigV4Request(
                "POST",
                "/",
                [],
                [new("host", headers["host"]), new("content-type", headers["content-type"]), new("x-amz-target", headers["x-amz-target"])],
                Convert.ToHexStringLower(SHA256.HashData(received))),
            TestClients.SessionCredentials,
            "eu-west-1",
            "ecr",
            TestClients.Now);
        Assert.Equal(resigned.Authorization, headers["authorization"]);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921.UploadLayerPart", headers["x-amz-target"]);
    }

    [Fact]
    public void Disposing_the_content_twice_returns_the_buffer_once()
    {
        var body = EcrRequestBody.SerializeUploadLayerPart(Part(16));
        var content = new PooledRequestContent(body, "application/x-amz-json-1.1");
        content.Dispose();
        content.Dispose();
        Assert.Throws<ObjectDisposedException>(() => body.WrittenSpan.Length);
    }
}
