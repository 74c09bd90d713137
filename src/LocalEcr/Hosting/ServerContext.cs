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

    public BlobStore Blobs { get; } = new(dataDirectory, options.SpareUploads);

    public DownloadTokens Tokens { get; } = new(options.TimeProvider ?? TimeProvider.System);

    public FaultInjector Faults { get; } = new();

    public CallLog Calls { get; } = new();

    public ActiveRequests Active { get; } = new();

    public OpenConnections Connections { get; } = new();

    /// <summary>Every account's keys and the sessions STS issued.</summary>
    public Principals Principals { get; } = CreatePrincipals(options);

    /// <summary>Checks ECR requests (service <c>ecr</c>) against every known key, signed within 5 minutes of <see cref="Time"/>.</summary>
    public SigV4Verifier Verifier => _verifier ??= new SigV4Verifier(Principals.SecretFor, Time);

    /// <summary>Checks STS requests (service <c>sts</c>).</summary>
    public SigV4Verifier StsVerifier => _stsVerifier ??= new SigV4Verifier(Principals.SecretFor, Time, "sts");

    private SigV4Verifier? _verifier;
    private SigV4Verifier? _stsVerifier;

    private static Principals CreatePrincipals(LocalEcrOptions options)
    {
        var principals = new Principals(options.SessionClock ?? options.TimeProvider ?? TimeProvider.System);
        principals.AddAccount(options.AccountId, options.AccessKey, options.SecretKey, options.Partition, string.IsNullOrEmpty(options.SessionToken) ? null : options.SessionToken);
        foreach (var account in options.OtherAccounts)
        {
            principals.AddAccount(account.AccountId, account.AccessKey, account.SecretKey, account.Partition);
        }

        return principals;
    }

    /// <summary>Set once Kestrel is listening (port 0 is only known then).</summary>
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1/");
}
