using System.Text.Json.Nodes;
using LocalEcr.Hosting;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Hosting;

public sealed class TransportMemoryPoolTests
{
    [Fact]
    public async Task The_socket_transport_receives_request_bodies_into_LocalEcrs_large_blocks()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        var rentsBefore = server.TransportMemory.Pools.Sum(p => p.Rents);
        var data = TestImages.RandomBytes(6 * 1024 * 1024, 3);
        var body = TestImages.Part("app", uploadId, data, 0, data.Length);
        var bodyBytes = body.ToJsonString().Length;
        (await client.CallAsync("UploadLayerPart", body)).EnsureOk();

        // If Kestrel ignored the registered factory (its default pool has 4 KiB blocks), none of the ~8 MiB would
        // pass through these pools; through them, it takes at least one rent per 128 KiB block.
        var rents = server.TransportMemory.Pools.Sum(p => p.Rents) - rentsBefore;
        Assert.True(rents >= bodyBytes / TransportMemoryPool.BlockSize, $"{rents} rents for a {bodyBytes}-byte body");
    }

    [Fact]
    public void A_block_is_reused_after_its_return_and_a_second_dispose_does_not_return_it_twice()
    {
        using var pool = new TransportMemoryPool();
        var first = pool.Rent();
        Assert.Equal(TransportMemoryPool.BlockSize, first.Memory.Length);
        first.Dispose();
        first.Dispose();

        var second = pool.Rent();
        var third = pool.Rent();
        Assert.Same(first, second);
        Assert.NotSame(second, third);
        Assert.Equal(2, pool.BlocksCreated);
        Assert.Equal(3, pool.Rents);
    }

    [Fact]
    public void A_request_for_more_than_a_block_is_refused()
    {
        using var pool = new TransportMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(TransportMemoryPool.BlockSize + 1));
    }
}
