using System.Collections.Concurrent;

namespace Replicator.Core.Tests;

/// <summary>Forwards every request and records the operation (X-Amz-Target) and JSON body of every ECR request passing through.</summary>
internal sealed class PassThroughRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

    public ConcurrentQueue<(string Operation, byte[] Body)> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValues("X-Amz-Target", out var targets) && targets.FirstOrDefault() is { } target
            && target.StartsWith(TargetPrefix, StringComparison.Ordinal) && request.Content is not null)
        {
            // Buffers the content, so it is still sent in full after being read here.
            Requests.Enqueue((target[TargetPrefix.Length..], await request.Content.ReadAsByteArrayAsync(cancellationToken)));
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
