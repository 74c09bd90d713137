using System.Text;
using System.Text.Json;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Signing;

/// <summary>One folder of the official suite: the raw request.txt and context.json, parsed.</summary>
internal sealed record SigV4TestCase(
    string Name,
    SigV4Request Request,
    AwsCredentials Credentials,
    string Region,
    string Service,
    DateTimeOffset Timestamp,
    SigV4Options Options)
{
    public static string SuiteDirectory => Path.Combine(AppContext.BaseDirectory, "SigV4TestSuite");

    public static SigV4TestCase Load(string name)
    {
        var folder = Path.Combine(SuiteDirectory, name);
        using var context = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "context.json")));
        var root = context.RootElement;
        var credentials = root.GetProperty("credentials");
        var token = credentials.TryGetProperty("token", out var t) ? t.GetString() : null;
        var options = new SigV4Options
        {
            NormalizePath = root.GetProperty("normalize").GetBoolean(),
            AddContentSha256Header = root.GetProperty("sign_body").GetBoolean(),
            SignSessionToken = !(root.TryGetProperty("omit_session_token", out var omit) && omit.GetBoolean()),
        };
        return new SigV4TestCase(
            name,
            ParseRequest(File.ReadAllBytes(Path.Combine(folder, "request.txt"))),
            new AwsCredentials(credentials.GetProperty("access_key_id").GetString()!, credentials.GetProperty("secret_access_key").GetString()!, token),
            root.GetProperty("region").GetString()!,
            root.GetProperty("service").GetString()!,
            DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            options);
    }

    public string Expected(string file) => File.ReadAllText(Path.Combine(SuiteDirectory, Name, file));

    // "METHOD path?query HTTP/1.1", header lines (a line starting with whitespace continues the previous
    // value), a blank line, then the body.
    private static SigV4Request ParseRequest(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? [] : Encoding.UTF8.GetBytes(text[(split + 2)..]);
        var lines = head.Split('\n');

        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = new List<KeyValuePair<string, string>>();
        if (question >= 0)
        {
            foreach (var pair in target[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = eq < 0 ? pair : pair[..eq];
                var value = eq < 0 ? string.Empty : pair[(eq + 1)..];
                query.Add(new(Uri.UnescapeDataString(key), Uri.UnescapeDataString(value)));
            }
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length > 0 && char.IsWhiteSpace(line[0]) && headers.Count > 0)
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }

        return new SigV4Request(method, path, query, headers, SigV4Signer.Sha256Hex(body));
    }
}
