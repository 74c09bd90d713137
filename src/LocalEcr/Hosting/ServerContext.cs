using LocalEcr.Auth;
using LocalEcr.Storage;

namespace LocalEcr.Hosting;

/// <summary>The services of one LocalEcr instance, shared by its endpoints.</summary>
internal sealed class ServerContext(LocalEcrOptions options, string dataDirectory)
{
    public LocalEcrOptions Options { get; } = options;

    public string AccountId => Options.AccountId;

    public TimeProvider Time { get; } = options.TimeProvider ?? TimeProvider.System;

    public Registry Registry { get; } = new();

    public BlobStore Blobs { get; } = new(dataDirectory);

    public DownloadTokens Tokens { get; } = new(options.TimeProvider ?? TimeProvider.System);

    public FaultInjector Faults { get; } = new();

    public CallLog Calls { get; } = new();

    public SigV4Verifier Verifier { get; } = new(options.AccessKey, options.SecretKey);

    /// <summary>Set once Kestrel is listening (port 0 is only known then).</summary>
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1/");
}
