using System.Net;
using System.Text.Json.Nodes;

namespace LocalEcr.Tests.Support;

internal sealed record EcrResponse(HttpStatusCode Status, string Body, string? ErrorType, string? RequestId)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public string? ErrorCode => Body.Length == 0 ? null : Json["__type"]?.GetValue<string>();

    public EcrResponse EnsureOk()
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Body}");
        return this;
    }

    public void AssertError(string code, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        Assert.Equal(status, Status);
        Assert.Equal(code, ErrorCode);
        Assert.Equal(code, ErrorType);
    }
}
