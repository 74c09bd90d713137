using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace LocalEcr.Hosting;

/// <summary>
/// Kestrel (ASP.NET Core 10) takes the memory pools of its transports from the <see cref="IMemoryPoolFactory{T}"/>
/// service (https://learn.microsoft.com/aspnet/core/fundamentals/servers/kestrel/memory-management): registering this
/// one gives the socket transport <see cref="TransportMemoryPool"/>'s large blocks. It keeps the pools it made so a
/// test can see that the transport really uses them.
/// </summary>
internal sealed class TransportMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    private readonly ConcurrentQueue<TransportMemoryPool> _pools = new();

    public IEnumerable<TransportMemoryPool> Pools => _pools;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new TransportMemoryPool();
        _pools.Enqueue(pool);
        return pool;
    }
}
