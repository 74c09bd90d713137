namespace Replicator.Core.Tests;

/// <summary>
/// Runs an action once, just before the first request of an operation whose JSON body contains a given text is
/// forwarded: a change at the source that lands between two of the engine's calls (an image deleted mid-copy). An
/// action that returns an answer replaces the server's, for a state LocalEcr refuses to reach (a child deleted from
/// under its index).
/// </summary>
internal sealed class BeforeRequestHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private (string Operation, string BodyContains, Func<Task<HttpResponseMessage?>> Action)? _armed;
    private int _fired;

    public bool Fired => Volatile.Read(ref _fired) == 1;

    /// <summary>ECR's answer <paramref name="json"/> with <paramref name="status"/>, for an action to return in place of the server's.</summary>
    public static Task<HttpResponseMessage?> Answer(string json, System.Net.HttpStatusCode status = System.Net.HttpStatusCode.OK) =>
        Task.FromResult<HttpResponseMessage?>(new HttpResponseMessage(status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/x-amz-json-1.1") });

    /// <summary>
    /// BatchGetImage's answer that refuses <paramref name="digest"/> with <paramref name="failureCode"/> (an
    /// ImageFailure of ECR's model) and returns no image.
    /// </summary>
    public static Task<HttpResponseMessage?> ImageFailure(string digest, string failureCode, string failureReason = "refused") =>
        Answer($$"""{"images":[],"failures":[{"imageId":{"imageDigest":"{{digest}}"},"failureCode":"{{failureCode}}","failureReason":"{{failureReason}}"}]}""");

    public void Arm(string operation, string bodyContains, Func<Task<HttpResponseMessage?>> action) => _armed = (operation, bodyContains, action);

    public void Arm(string operation, string bodyContains, Func<Task> action) => Arm(operation, bodyContains, async () =>
    {
        await action();
        return null;
    });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_armed is { } armed && !Fired && request.Content is not null
            && request.Headers.TryGetValues("X-Amz-Target", out var targets) && targets.FirstOrDefault()?.EndsWith("." + armed.Operation, StringComparison.Ordinal) == true)
        {
            // Buffers the content, so it is still sent in full after being read here.
            var body = await request.Content.ReadAsStringAsync(cancellationToken);
            if (body.Contains(armed.BodyContains, StringComparison.Ordinal) && Interlocked.CompareExchange(ref _fired, 1, 0) == 0)
            {
                if (await armed.Action() is { } answer)
                {
                    return answer;
                }
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
