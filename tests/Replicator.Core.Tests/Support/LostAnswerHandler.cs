namespace Replicator.Core.Tests;

/// <summary>
/// Lets the first <paramref name="operation"/> request reach the server, then drops its answer and reports a
/// 500 instead: the call landed, the caller cannot know (a timeout, a cut connection).
/// </summary>
internal sealed class LostAnswerHandler(HttpMessageHandler inner, string operation) : DelegatingHandler(inner)
{
    private int _lost;
    private volatile bool _armed;

    public int Lost => Volatile.Read(ref _lost);

    /// <summary>Until armed, every answer passes (so a test can set up its images first).</summary>
    public void Arm() => _armed = true;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (_armed && request.Headers.TryGetValues("X-Amz-Target", out var targets) && targets.FirstOrDefault()?.EndsWith("." + operation, StringComparison.Ordinal) == true
            && response.IsSuccessStatusCode && Interlocked.CompareExchange(ref _lost, 1, 0) == 0)
        {
            response.Dispose();
            return new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError)
            {
                Content = new StringContent("""{"__type":"ServerException","message":"answer lost in transit"}""", System.Text.Encoding.UTF8, "application/x-amz-json-1.1"),
            };
        }

        return response;
    }
}
