using System.Text.Json;
using Amazon.Runtime;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Partitions;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>
/// Credentials for a destination in another partition: the key pair of an IAM user there, read from an SSM
/// SecureString of the source account as <c>{"AccessKeyId": "...", "SecretAccessKey": "...", "RoleArn": "..."}</c>,
/// with an optional role to assume there with that key. Kept in memory only, and read again after
/// <see cref="ParameterLifetime"/>, so a rotated key is picked up without a redeploy.
/// </summary>
/// <remarks>
/// While a read again runs, only the caller that started it waits; the others use the keys last read (within
/// <see cref="MaxParameterAge"/>). A read again that fails transiently (SSM throttled or unavailable) keeps the keys
/// last read, which still work until someone rotates them: the failure is reported to the observer (the parameter's name and the error code, never the
/// value), and SSM is asked again after <see cref="RereadRetryInterval"/>, not on every call. This lasts until the keys
/// are <see cref="MaxParameterAge"/> old; then a failed read fails the copy, saying so, rather than use keys that may
/// have been rotated out long ago. A permanent failure (the parameter deleted or malformed) is never papered over.
/// The same trade as botocore's advisory refresh of temporary credentials (AssumedRoleCredentialsSource).
/// </remarks>
/// <remarks>
/// A rotated key replaces the role's credentials source but does not dispose it (it holds nothing to dispose): a
/// caller that took the old one just before the swap finishes with it, and it is collected once nobody holds it.
/// </remarks>
public sealed class SsmCredentialsSource : IAwsCredentialsSource
{
    /// <summary>How long a read parameter is trusted; a rotation is seen within this time.</summary>
    public static readonly TimeSpan DefaultParameterLifetime = TimeSpan.FromMinutes(15);

    /// <summary>The oldest read whose keys are still used while reading the parameter again fails transiently.</summary>
    public static readonly TimeSpan DefaultMaxParameterAge = TimeSpan.FromHours(1);

    /// <summary>After a failed read, how long the keys last read are used before SSM is asked again.</summary>
    public static readonly TimeSpan RereadRetryInterval = TimeSpan.FromSeconds(30);

    private readonly ISecureParameterStore _store;
    private readonly ISecurityTokenService _sts;
    private readonly TimeProvider _time;
    private readonly IReplicationObserver? _observer;
    private readonly RefreshingValue<Snapshot> _snapshot = new();
    private long _nextReread = DateTimeOffset.MinValue.UtcTicks;

    /// <param name="externalId">
    /// Sent with the AssumeRole of the parameter's role, as with every other destination role (DESTINATION_EXTERNAL_ID):
    /// the same operator deploys that role, and a role made from destination-role.yaml may require it.
    /// </param>
    public SsmCredentialsSource(ISecureParameterStore store, ISecurityTokenService sts, string parameterName, string destinationRegion, TimeProvider? time = null, TimeSpan? parameterLifetime = null, IReplicationObserver? observer = null, TimeSpan? maxParameterAge = null, string? externalId = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _sts = sts ?? throw new ArgumentNullException(nameof(sts));
        ArgumentException.ThrowIfNullOrEmpty(parameterName);
        ArgumentException.ThrowIfNullOrEmpty(destinationRegion);
        ParameterName = parameterName;
        DestinationRegion = destinationRegion;
        _time = time ?? TimeProvider.System;
        ParameterLifetime = parameterLifetime ?? DefaultParameterLifetime;
        MaxParameterAge = maxParameterAge ?? DefaultMaxParameterAge;
        if (MaxParameterAge < ParameterLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(maxParameterAge), "must not be shorter than the parameter lifetime");
        }

        _observer = observer;
        ExternalId = externalId;
    }

    public string ParameterName { get; }

    public string? ExternalId { get; }

    public string DestinationRegion { get; }

    public TimeSpan ParameterLifetime { get; }

    public TimeSpan MaxParameterAge { get; }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot.Current;
        var now = _time.GetUtcNow();
        var keepAfterFailure = snapshot is not null && now < snapshot.ReadAt + MaxParameterAge && now.UtcTicks < Interlocked.Read(ref _nextReread);
        if (snapshot is null)
        {
            snapshot = await _snapshot.LoadAsync(null, ReadAsync).WaitAsync(cancellationToken);
        }
        else if (now >= snapshot.ReadAt + ParameterLifetime && !keepAfterFailure)
        {
            // Due for a read again. Only the caller that starts it waits for it (and sees a permanent failure); the
            // others go on with keys younger than MaxParameterAge, which still work unless the key was deleted (then
            // ECR or STS refuses them and Invalidate reads again), instead of every upload of the destination stalling
            // behind one slow or unreachable SSM call: its client's timeouts and retries last up to about a minute.
            var started = _snapshot.TryStartLoad(snapshot, ReadAsync, out var loading);
            if (started || loading.IsCompleted || now >= snapshot.ReadAt + MaxParameterAge)
            {
                snapshot = await loading.WaitAsync(cancellationToken);
            }
        }

        if (snapshot.Role is null)
        {
            return snapshot.Keys;
        }

        try
        {
            return await snapshot.Role.GetCredentialsAsync(cancellationToken);
        }
        catch (ReplicationException ex) when (IsRefusedKey(ex))
        {
            // STS refused the key itself: rotated, and the old one deleted before this read expired. Read the
            // parameter once more (or take the read another caller made since); a key it still holds that STS
            // refuses is the caller's failure.
            _snapshot.Forget(snapshot);
            var fresh = await _snapshot.LoadAsync(null, ReadAsync).WaitAsync(cancellationToken);
            return fresh.Role is null ? fresh.Keys : await fresh.Role.GetCredentialsAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Rotation replaces the key in the parameter; a key deleted before <see cref="ParameterLifetime"/> ran out would
    /// otherwise fail every copy until the next read. ECR then answers UnrecognizedClientException (EcrClient reads
    /// the parameter again once, through <see cref="Invalidate(AwsCredentials)"/>), STS InvalidClientTokenId.
    /// </summary>
    public bool RereadsRefusedKeys => true;

    /// <summary>ECR refused the credentials as expired: read the parameter again (the key may have been rotated).</summary>
    public void Invalidate()
    {
        _snapshot.Forget()?.Role?.Invalidate();
    }

    /// <summary>
    /// ECR refused <paramref name="used"/>, unless they are no longer the credentials held (another request's failure
    /// already made this source read the parameter, or renew its role). The parameter's own keys are read again (the
    /// key may have been rotated); a session of the parameter's role is assumed again with the keys in hand, since it
    /// is the session ECR refused (expired early, or revoked), not the key, and reading SSM then would only add a call
    /// that can fail (throttled) with no keys to fall back on. A rotated key shows at that AssumeRole
    /// (InvalidClientTokenId), which reads the parameter again (<see cref="GetCredentialsAsync"/>).
    /// </summary>
    public void Invalidate(AwsCredentials used)
    {
        if (_snapshot.Current is not { } snapshot)
        {
            return;
        }

        if (snapshot.Role is { } role)
        {
            role.Invalidate(used);
        }
        else if (ReferenceEquals(snapshot.Keys, used))
        {
            _snapshot.Forget(snapshot);
        }
    }

    public override string ToString() => $"SsmCredentialsSource({ParameterName} for {DestinationRegion})";

    // The load belongs to no caller (see RefreshingValue): no caller's token, the SSM client's timeouts bound it.
    private async Task<Snapshot> ReadAsync(Snapshot? snapshot)
    {
        string value;
        try
        {
            value = await _store.GetSecureStringAsync(ParameterName, CancellationToken.None);
        }
        catch (ReplicationException ex) when (ex.IsTransient && snapshot is not null && ReferenceEquals(_snapshot.Current, snapshot))
        {
            // Unless the keys were refused while this read ran (Invalidate dropped them): those are no fallback.
            var now = _time.GetUtcNow();
            var keptUntil = snapshot.ReadAt + MaxParameterAge;
            if (now >= keptUntil)
            {
                throw new ReplicationException(
                    ex.ErrorCode,
                    $"{ex.Message}; the keys read {(now - snapshot.ReadAt).TotalMinutes:0} minutes ago are past the {MaxParameterAge.TotalMinutes:0} minutes they may be used without a new read",
                    isTransient: true,
                    ex);
            }

            Interlocked.Exchange(ref _nextReread, (now + RereadRetryInterval).UtcTicks);
            _observer?.CredentialsRereadFailed(ParameterName, ErrorType(ex), keptUntil);
            return snapshot;
        }

        Interlocked.Exchange(ref _nextReread, DateTimeOffset.MinValue.UtcTicks);
        var (keys, roleArn) = Parse(value);
        AssumedRoleCredentialsSource? role = null;
        if (roleArn is not null)
        {
            // Same key and role as before: keep the session (it is still good); a rotated key starts a new one.
            role = snapshot?.Role is { } previous && previous.RoleArn == roleArn && SameKeys(snapshot.Keys, keys)
                ? previous
                : new AssumedRoleCredentialsSource(_sts, roleArn, ExternalId, DestinationRegion, new StaticCredentialsSource(keys), _time, _observer);
        }

        return new Snapshot(keys, role, _time.GetUtcNow());
    }

    private (AwsCredentials Keys, string? RoleArn) Parse(string value)
    {
        // Error messages name the parameter and the field, never the value or any part of it.
        try
        {
            using var document = JsonDocument.Parse(value);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("is not a JSON object");
            }

            var accessKeyId = Field(root, "AccessKeyId", required: true)!;
            if (!IsAccessKeyIdText(accessKeyId))
            {
                // IAM's accessKeyIdType is [\w]+ (botocore's IAM model): a line break or a space copied with the key would
                // otherwise reach the Authorization header, where .NET refuses a non-ASCII character as a failed request
                // (read as a connection failure, retried for days) and a line break corrupts the header.
                throw Malformed("has an AccessKeyId with characters no access key id has (IAM's are letters, digits and _ only; a space or line break copied with it?)");
            }

            var secretAccessKey = Field(root, "SecretAccessKey", required: true)!;
            if (!IsSecretText(secretAccessKey))
            {
                // A secret access key is 40 base64 characters; a space or line break copied with it only makes every
                // signature wrong (InvalidSignatureException, SignatureDoesNotMatch), which does not say where it came from.
                throw Malformed("has a SecretAccessKey with whitespace, control or non-ASCII characters (a space or line break copied with it?)");
            }

            var roleArn = Field(root, "RoleArn", required: false);
            if (root.TryGetProperty("SessionToken", out var token) && token.ValueKind != JsonValueKind.Null)
            {
                // Temporary credentials (an ASIA key and its token) would end within hours, and every call after that
                // would fail as an invalid token: the parameter must hold an IAM user's long-term key pair.
                throw Malformed("holds temporary credentials (a SessionToken), not the long-term access key of an IAM user (AccessKeyId and SecretAccessKey only)");
            }

            if (roleArn is not null)
            {
                // The whole ARN is checked, not its prefix: the ARN is part of the secret value, and the messages that
                // name the role (an AssumeRole refusal, the destination's log line) would echo whatever followed it.
                var expected = AwsPartitions.IdOf(DestinationRegion);
                if (!DestinationAccess.IsRoleArn(roleArn, out var partition) || partition != expected)
                {
                    throw Malformed($"has a RoleArn that is not an IAM role of partition {expected}, where {DestinationRegion} is");
                }
            }

            return (new AwsCredentials(accessKeyId, secretAccessKey), roleArn);
        }
        catch (JsonException)
        {
            throw Malformed("is not JSON");
        }
    }

    private string? Field(JsonElement root, string name, bool required)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return required ? throw Malformed($"has no {name}") : null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw Malformed($"has a {name} that is not a non-empty string");
        }

        string? text;
        try
        {
            text = element.GetString();
        }
        catch (InvalidOperationException)
        {
            // Valid JSON, invalid text: an escaped unpaired surrogate ("\ud800") cannot be transcoded, and GetString
            // throws (learn.microsoft.com/dotnet/api/system.text.json.jsonelement.getstring). Neither the value nor the
            // runtime's message (which may quote it) goes into ours.
            throw Malformed($"is malformed: its {name} is not valid Unicode text");
        }

        return text is { Length: > 0 } ? text : throw Malformed($"has a {name} that is not a non-empty string");
    }

    private static bool IsAccessKeyIdText(string text) => text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    // Printable ASCII without the space: what a base64 secret is made of, and more.
    private static bool IsSecretText(string text) => text.All(c => c is > ' ' and < '\u007f');

    // Never a field's name followed by ':' or '=': the log's redactor reads that as a secret and its value, and would
    // hide the words that tell the operator what to fix (Replicator.Function's Redactor).
    private ReplicationException Malformed(string problem) => new(
        ReplicationErrorCodes.DestinationCredentialsUnavailable,
        $"SSM parameter {ParameterName} {problem} (expected {{\"AccessKeyId\": ..., \"SecretAccessKey\": ..., \"RoleArn\": optional}})",
        isTransient: false);

    // The service's own code (ThrottlingException) when there is one: the wrapper's code is the same for every failure.
    private static string ErrorType(ReplicationException ex) => ex.InnerException switch
    {
        AmazonServiceException { ErrorCode: { Length: > 0 } code } => code,
        { } inner => inner.GetType().Name,
        null => ex.ErrorCode,
    };

    private static bool IsRefusedKey(ReplicationException ex) =>
        ex.InnerException is AmazonServiceException { ErrorCode: var code } && EcrErrorCodes.IsRefusedKey(code);

    private static bool SameKeys(AwsCredentials a, AwsCredentials b) =>
        a.AccessKeyId == b.AccessKeyId && a.SecretAccessKey == b.SecretAccessKey;

    private sealed record Snapshot(AwsCredentials Keys, AssumedRoleCredentialsSource? Role, DateTimeOffset ReadAt);
}
