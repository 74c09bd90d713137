using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BenchDriver;

/// <summary>
/// iofloor: the CPU a copy of N bytes pays its kernel however it is written, measured in .NET on this machine in the
/// same run. The copy receives the blob (N bytes) from the source and sends its base64 UploadLayerPart bodies (4/3 N)
/// to the destination, each through a loopback TCP socket; <see cref="FloorCommand"/> hashes and encodes in memory and
/// leaves this out. Here only the bytes move, to and from a peer process (<c>iopeer</c>, this driver again, whose
/// CPU is not counted): sent in 1 MiB writes from three rotating buffers of one encoded part each (as the copy sends
/// its parts, which are not in a cache by then), received into a buffer of the copy's read size. Prints this
/// process's CPU seconds (user + system) per GiB of N.
/// </summary>
internal static class IoFloorCommand
{
    // The sizes the copy uses: 10 MiB parts (InitiateLayerUpload's partSize), bodies written in RetainedContent's
    // 1 MiB blocks, downloads read 192 KiB at a time (BlobCopier's ReadChunk). Both are internal to Core.
    private const int Part = 10 * 1024 * 1024;
    private const int WriteBlock = 1024 * 1024;
    private const int ReadChunk = 3 * 64 * 1024;

    public static async Task<int> RunAsync(Options options)
    {
        var bytes = options.GetLong("bytes", 256L * 1024 * 1024);
        var encoded = bytes / Part * Base64.GetMaxEncodedToUtf8Length(Part) + Base64.GetMaxEncodedToUtf8Length((int)(bytes % Part));
        var parts = Enumerable.Range(0, 3).Select(i =>
        {
            var buffer = new byte[Base64.GetMaxEncodedToUtf8Length(Part)];
            new Random(i).NextBytes(buffer);
            return buffer;
        }).ToArray();
        var read = new byte[ReadChunk];

        using var peer = Process.Start(new ProcessStartInfo(Environment.ProcessPath!)
        {
            ArgumentList = { "iopeer", "--bytes", bytes.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start the iopeer");
        var ports = (await peer.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the iopeer printed no ports")).Split(' ');

        var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        using (var sink = await ConnectAsync(int.Parse(ports[0], CultureInfo.InvariantCulture)))
        {
            long sent = 0;
            for (var i = 0; sent < encoded; i++)
            {
                var part = parts[i % parts.Length];
                for (var offset = 0; offset < part.Length && sent < encoded; offset += WriteBlock)
                {
                    var length = (int)Math.Min(Math.Min(WriteBlock, part.Length - offset), encoded - sent);
                    await sink.WriteAsync(part.AsMemory(offset, length));
                    sent += length;
                }
            }
        }

        using (var source = await ConnectAsync(int.Parse(ports[1], CultureInfo.InvariantCulture)))
        {
            long received = 0;
            int n;
            while ((n = await source.ReadAsync(read)) > 0)
            {
                received += n;
            }

            if (received != bytes)
            {
                throw new InvalidOperationException($"received {received} bytes of {bytes}");
            }
        }

        process.Refresh();
        var seconds = (process.TotalProcessorTime - before).TotalSeconds;
        await peer.WaitForExitAsync();
        Console.WriteLine((seconds * (1024.0 * 1024 * 1024) / bytes).ToString("F3", CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>iopeer: drains one connection on its first port, then sends N bytes on one connection to its second.</summary>
    public static async Task<int> PeerAsync(Options options)
    {
        var bytes = options.GetLong("bytes", 256L * 1024 * 1024);
        using var sink = Listen();
        using var source = Listen();
        Console.WriteLine($"{((IPEndPoint)sink.LocalEndPoint!).Port} {((IPEndPoint)source.LocalEndPoint!).Port}");
        Console.Out.Flush();

        var buffer = new byte[WriteBlock];
        using (var incoming = await sink.AcceptAsync())
        {
            while (await incoming.ReceiveAsync(buffer) > 0)
            {
            }
        }

        using var outgoing = await source.AcceptAsync();
        for (long sent = 0; sent < bytes;)
        {
            var length = (int)Math.Min(buffer.Length, bytes - sent);
            sent += await outgoing.SendAsync(buffer.AsMemory(0, length));
        }

        outgoing.Shutdown(SocketShutdown.Send);
        return 0;
    }

    private static Socket Listen()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        return socket;
    }

    private static async Task<NetworkStream> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new NetworkStream(socket, ownsSocket: true);
    }
}
