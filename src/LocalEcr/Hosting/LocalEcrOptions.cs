namespace LocalEcr;

/// <summary>How a LocalEcr listens and whom it trusts.</summary>
public sealed class LocalEcrOptions
{
    /// <summary>An IP address or "localhost". Loopback by default: the admin endpoint needs no signature.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port; read the chosen one from <see cref="LocalEcrServer.BaseAddress"/>.</summary>
    public int Port { get; set; }

    public string AccountId { get; set; } = "000000000000";

    public string AccessKey { get; set; } = "test";

    public string SecretKey { get; set; } = "test";

    /// <summary>Where blobs and uploads live. Null: a fresh temporary folder, deleted on dispose.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>How long a GetDownloadUrlForLayer URL works (ECR's presigned S3 URLs are short-lived too).</summary>
    public TimeSpan DownloadUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Clock for URL expiry, timestamps, injected delays and stalls. Null: the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
