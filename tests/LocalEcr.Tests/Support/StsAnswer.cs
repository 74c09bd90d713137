using System.Net;
using System.Xml.Linq;

namespace LocalEcr.Tests.Support;

/// <summary>An answer of LocalEcr's STS endpoint: the query protocol's XML, read as botocore reads it.</summary>
internal sealed record StsAnswer(HttpStatusCode Status, string Body, string? ContentType, string? RequestId)
{
    private static readonly XNamespace Sts = "https://sts.amazonaws.com/doc/2011-06-15/";

    public XElement Root => XDocument.Parse(Body).Root!;

    public string? Code => Root.Element(Sts + "Error")?.Element(Sts + "Code")?.Value;

    public string? Message => Root.Element(Sts + "Error")?.Element(Sts + "Message")?.Value;

    /// <summary>The value at <paramref name="path"/> (element names) under the action's Result element.</summary>
    public string? Result(params string[] path) =>
        path.Aggregate(Root.Elements().FirstOrDefault(e => e.Name.LocalName.EndsWith("Result", StringComparison.Ordinal)), (e, name) => e?.Element(Sts + name))?.Value;

    public StsAnswer EnsureOk()
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Body}");
        return this;
    }

    /// <summary>An ErrorResponse of <paramref name="code"/> and <paramref name="status"/>, type Sender, its RequestId the header's.</summary>
    public StsAnswer AssertError(string code, HttpStatusCode status, string? message = null)
    {
        Assert.True(Status == status && Code == code, $"expected {(int)status} {code}, got {(int)Status}: {Body}");
        Assert.Equal("ErrorResponse", Root.Name.LocalName);
        Assert.Equal("Sender", Root.Element(Sts + "Error")!.Element(Sts + "Type")!.Value);
        Assert.Equal(RequestId, Root.Element(Sts + "RequestId")!.Value);
        Assert.Equal("text/xml", ContentType);
        if (message is not null)
        {
            Assert.Equal(message, Message);
        }

        return this;
    }
}
